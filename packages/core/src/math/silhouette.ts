/**
 * Cluster quality: the mean silhouette coefficient, and choosing k by it.
 * @module
 */
import { kmeans, type KMeansResult } from './kmeans.js';
import { checkPoints, squaredDistance, type Vector } from './vector.js';

/**
 * Mean silhouette coefficient (Euclidean distance) of a clustering, in [-1, 1]: near 1 for
 * compact, well separated clusters. A point alone in its cluster scores 0.
 * @param points the points
 * @param assignments the cluster index of each point
 * @returns the mean over all points of (b - a) / max(a, b)
 * @throws RangeError when the lengths differ or there are fewer than 2 clusters
 */
export function silhouette(points: readonly Vector[], assignments: readonly number[]): number {
  checkPoints(points);
  if (assignments.length !== points.length) throw new RangeError(`Expected ${points.length} assignments but received ${assignments.length}`);
  const clusters = [...new Set(assignments)];
  if (clusters.length < 2) throw new RangeError('The silhouette needs at least 2 clusters');
  const sizes = new Map(clusters.map((c) => [c, assignments.filter((a) => a === c).length]));
  let total = 0;
  points.forEach((p, i) => {
    const own = assignments[i]!;
    if (sizes.get(own) === 1) return;
    const sums = new Map<number, number>(clusters.map((c) => [c, 0]));
    points.forEach((q, j) => {
      if (i !== j) sums.set(assignments[j]!, sums.get(assignments[j]!)! + Math.sqrt(squaredDistance(p, q)));
    });
    const a = sums.get(own)! / (sizes.get(own)! - 1);
    const b = Math.min(...clusters.filter((c) => c !== own).map((c) => sums.get(c)! / sizes.get(c)!));
    const denominator = Math.max(a, b);
    total += denominator === 0 ? 0 : (b - a) / denominator;
  });
  return total / points.length;
}

/** What {@link chooseK} found. */
export interface ChooseKResult {
  /** The k with the highest mean silhouette (the smallest such k on ties). */
  k: number;
  /** Its clustering. */
  clustering: KMeansResult;
  /** The silhouette of each k tried, in increasing k. */
  scores: { k: number; silhouette: number }[];
}

/**
 * Clusters with every k in `kRange` (clipped to 2..n-1) and keeps the best by silhouette.
 * @param points the points
 * @param kRange inclusive `[min, max]`
 * @param seed the k-means seed (default 0)
 * @returns the best k, its clustering, and every k's score
 * @throws RangeError when no k in the range is usable (fewer than 3 points, or min > max)
 */
export function chooseK(points: readonly Vector[], kRange: readonly [min: number, max: number], seed = 0): ChooseKResult {
  checkPoints(points);
  const min = Math.max(2, Math.ceil(kRange[0]));
  const max = Math.min(points.length - 1, Math.floor(kRange[1]));
  if (min > max) throw new RangeError(`No usable k in [${kRange[0]}, ${kRange[1]}] for ${points.length} points (k must be in 2..n-1)`);
  const scores: ChooseKResult['scores'] = [];
  let best: { k: number; clustering: KMeansResult; score: number } | undefined;
  for (let k = min; k <= max; k++) {
    const clustering = kmeans({ points, k, seed });
    const score = silhouette(points, clustering.assignments);
    scores.push({ k, silhouette: score });
    if (best === undefined || score > best.score) best = { k, clustering, score };
  }
  return { k: best!.k, clustering: best!.clustering, scores };
}
