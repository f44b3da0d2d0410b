/**
 * Vector helpers shared by the embedding math and the classifiers. Vectors are any
 * `ArrayLike<number>` (number arrays or Float32Arrays).
 * @module
 */

/** A vector: a plain array or a typed array. */
export type Vector = ArrayLike<number>;

/**
 * Checks that two vectors have the same length.
 * @throws RangeError naming both lengths
 */
function sameLength(a: Vector, b: Vector): void {
  if (a.length !== b.length) throw new RangeError(`Expected vectors of the same length but received ${a.length} and ${b.length}`);
}

/**
 * Dot product.
 * @param a first vector
 * @param b second vector, same length
 * @returns sum of a[i] * b[i]
 * @throws RangeError when the lengths differ
 */
export function dot(a: Vector, b: Vector): number {
  sameLength(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * Cosine similarity, in [-1, 1]; 0 when either vector is all zeros.
 * @param a first vector
 * @param b second vector, same length
 * @returns a·b / (|a| |b|)
 * @throws RangeError when the lengths differ
 * @example
 * cosineSimilarity([1, 0], [1, 1]); // 0.7071...
 */
export function cosineSimilarity(a: Vector, b: Vector): number {
  const norms = Math.sqrt(dot(a, a) * dot(b, b));
  return norms === 0 ? 0 : Math.max(-1, Math.min(1, dot(a, b) / norms));
}

/**
 * Squared Euclidean distance.
 * @param a first vector
 * @param b second vector, same length
 * @returns sum of (a[i] - b[i])^2
 * @throws RangeError when the lengths differ
 */
export function squaredDistance(a: Vector, b: Vector): number {
  sameLength(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum;
}

/**
 * Checks a set of points: at least one, all of one length, all finite.
 * @param points the points
 * @param what their name in messages
 * @returns the common length (dimension)
 * @throws RangeError naming the first bad point
 */
export function checkPoints(points: readonly Vector[], what = 'points'): number {
  if (points.length === 0) throw new RangeError(`Expected at least one vector in ${what}`);
  const dim = points[0]!.length;
  points.forEach((p, i) => {
    if (p.length !== dim) throw new RangeError(`Expected every vector in ${what} to have length ${dim} but ${what}[${i}] has ${p.length}`);
    for (let j = 0; j < dim; j++) if (!Number.isFinite(p[j]!)) throw new RangeError(`${what}[${i}][${j}] is not finite`);
  });
  return dim;
}
