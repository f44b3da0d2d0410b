/**
 * k-means clustering (Lloyd's algorithm) with k-means++ initialisation and a seeded generator:
 * the same input and seed give the same clusters everywhere.
 * @module
 */
import { createRandom, type Random } from './random.js';
import { checkPoints, squaredDistance, type Vector } from './vector.js';

/** Options of {@link kmeans}. */
export interface KMeansOptions {
  /** The points, all of one length. */
  points: readonly Vector[];
  /** Number of clusters, 1..points.length. */
  k: number;
  /** Seed of the k-means++ draws. Default 0. */
  seed?: number;
  /** Independent k-means++ starts; the one with the lowest inertia wins. Default 4. */
  restarts?: number;
  /** Most Lloyd iterations per start. Default 300. */
  maxIterations?: number;
}

/** A clustering. */
export interface KMeansResult {
  /** `k` cluster centres. */
  centroids: number[][];
  /** Cluster index of each point, in input order. */
  assignments: number[];
  /** Sum of squared distances of the points to their centres. */
  inertia: number;
  /** Lloyd iterations of the winning start. */
  iterations: number;
}

/**
 * Clusters points into `k` groups.
 * @param options points, k, seed and limits
 * @returns centres, assignments, inertia
 * @throws RangeError for no points, points of different lengths or non-finite values, or k outside 1..n
 * @example
 * const { assignments } = kmeans({ points: [[0, 0], [0, 1], [9, 9], [9, 8]], k: 2, seed: 1 });
 */
export function kmeans(options: KMeansOptions): KMeansResult {
  const { points, k } = options;
  checkPoints(points);
  if (!Number.isInteger(k) || k < 1 || k > points.length) throw new RangeError(`Expected k in 1..${points.length} but received ${k}`);
  const restarts = options.restarts ?? 4;
  const maxIterations = options.maxIterations ?? 300;
  const random = createRandom(options.seed ?? 0);
  let best: KMeansResult | undefined;
  for (let r = 0; r < restarts; r++) {
    const run = lloyd(points, initialCentroids(points, k, random), maxIterations);
    if (best === undefined || run.inertia < best.inertia) best = run;
  }
  return best!;
}

/** k-means++: the first centre uniformly, each next one with probability proportional to D^2. */
function initialCentroids(points: readonly Vector[], k: number, random: Random): number[][] {
  const centroids = [Array.from(points[Math.floor(random() * points.length)]!)];
  const nearest = points.map((p) => squaredDistance(p, centroids[0]!));
  while (centroids.length < k) {
    const total = nearest.reduce((a, b) => a + b, 0);
    let index: number;
    if (total === 0) {
      index = Math.floor(random() * points.length); // every point is already a centre
    } else {
      let target = random() * total;
      index = nearest.length - 1;
      for (let i = 0; i < nearest.length; i++) {
        target -= nearest[i]!;
        if (target < 0) {
          index = i;
          break;
        }
      }
      while (nearest[index] === 0) index--; // rounding left target >= 0: take the last candidate
    }
    const centre = Array.from(points[index]!);
    centroids.push(centre);
    points.forEach((p, i) => {
      nearest[i] = Math.min(nearest[i]!, squaredDistance(p, centre));
    });
  }
  return centroids;
}

/** Lloyd iterations from the given centres until no assignment changes. */
function lloyd(points: readonly Vector[], centroids: number[][], maxIterations: number): KMeansResult {
  const dim = points[0]!.length;
  const assignments = new Array<number>(points.length).fill(-1);
  let iterations = 0;
  for (let changed = true; changed && iterations < maxIterations; iterations++) {
    changed = false;
    points.forEach((p, i) => {
      const c = nearestCentroid(p, centroids).index;
      if (c !== assignments[i]) {
        assignments[i] = c;
        changed = true;
      }
    });
    const sums = centroids.map(() => new Array<number>(dim).fill(0));
    const counts = new Array<number>(centroids.length).fill(0);
    points.forEach((p, i) => {
      const c = assignments[i]!;
      counts[c]!++;
      for (let j = 0; j < dim; j++) sums[c]![j]! += p[j]!;
    });
    counts.forEach((count, c) => {
      if (count > 0) {
        centroids[c] = sums[c]!.map((s) => s / count);
      } else {
        // An empty cluster takes the point farthest from its own centre.
        const far = farthestPoint(points, assignments, centroids);
        centroids[c] = Array.from(points[far]!);
        assignments[far] = c;
        changed = true;
      }
    });
  }
  const inertia = points.reduce((sum, p, i) => sum + squaredDistance(p, centroids[assignments[i]!]!), 0);
  return { centroids, assignments, inertia, iterations };
}

/** The index of the nearest centre and its squared distance. */
function nearestCentroid(p: Vector, centroids: readonly number[][]): { index: number; distance: number } {
  let index = 0;
  let distance = Infinity;
  centroids.forEach((c, i) => {
    const d = squaredDistance(p, c);
    if (d < distance) {
      distance = d;
      index = i;
    }
  });
  return { index, distance };
}

/** The point farthest from its assigned centre. */
function farthestPoint(points: readonly Vector[], assignments: readonly number[], centroids: readonly number[][]): number {
  let far = 0;
  let farDistance = -1;
  points.forEach((p, i) => {
    const d = squaredDistance(p, centroids[assignments[i]!]!);
    if (d > farDistance) {
      farDistance = d;
      far = i;
    }
  });
  return far;
}
