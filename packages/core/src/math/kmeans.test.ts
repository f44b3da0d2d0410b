import { describe, expect, it } from 'vitest';
import { kmeans } from './kmeans.js';
import { createRandom, normal } from './random.js';
import { chooseK, silhouette } from './silhouette.js';

/** `perCluster` points around each centre (sd 0.3), in centre order. */
function blobs(centres: number[][], perCluster: number, seed: number): number[][] {
  const random = createRandom(seed);
  return centres.flatMap((c) => Array.from({ length: perCluster }, () => c.map((x) => x + 0.3 * normal(random))));
}

describe('kmeans', () => {
  it('should recover well separated clusters and their centres', () => {
    const centres = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    const points = blobs(centres, 30, 1);
    const { assignments, centroids, inertia } = kmeans({ points, k: 3, seed: 3 });
    for (let c = 0; c < 3; c++) {
      const group = assignments.slice(c * 30, (c + 1) * 30);
      expect(new Set(group).size).toBe(1);
      const centroid = centroids[group[0]!]!;
      expect(Math.hypot(centroid[0]! - centres[c]![0]!, centroid[1]! - centres[c]![1]!)).toBeLessThan(0.2);
    }
    expect(new Set(assignments).size).toBe(3);
    expect(inertia).toBeLessThan(90 * 0.3 ** 2 * 2 * 1.5);
  });

  it('should be deterministic for a seed', () => {
    const points = blobs(
      [
        [0, 0],
        [3, 3],
      ],
      20,
      2,
    );
    expect(kmeans({ points, k: 4, seed: 9 })).toEqual(kmeans({ points, k: 4, seed: 9 }));
  });

  it('should solve a tiny exact case and handle duplicate points', () => {
    const { assignments, centroids, inertia } = kmeans({ points: [[0], [1], [10], [11]], k: 2 });
    expect(assignments[0]).toBe(assignments[1]);
    expect(assignments[2]).toBe(assignments[3]);
    expect(assignments[0]).not.toBe(assignments[2]);
    expect(centroids.map((c) => c[0]).sort((a, b) => a! - b!)).toEqual([0.5, 10.5]);
    expect(inertia).toBeCloseTo(1, 12);
    const dupes = kmeans({
      points: [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
      k: 2,
    });
    expect(dupes.inertia).toBe(0);
  });

  it('should reject a bad k', () => {
    expect(() => kmeans({ points: [[0], [1]], k: 3 })).toThrow(/k in 1\.\.2/);
    expect(() => kmeans({ points: [[0], [1]], k: 0 })).toThrow(RangeError);
  });
});

describe('silhouette and chooseK', () => {
  it('should give the textbook silhouette of a small example', () => {
    // Points 0, 1 | 4, 5 on a line: s(0) = (4.5 - 1) / 4.5, s(1) = (3.5 - 1) / 3.5; symmetric for 4, 5.
    expect(silhouette([[0], [1], [4], [5]], [0, 0, 1, 1])).toBeCloseTo((3.5 / 4.5 + 2.5 / 3.5) / 2, 12);
    // The singleton {5} counts 0.
    expect(silhouette([[0], [1], [5]], [0, 0, 1])).toBeCloseTo(((5 - 1) / 5 + (4 - 1) / 4 + 0) / 3, 12);
    expect(() => silhouette([[0], [1]], [0, 0])).toThrow(/at least 2 clusters/);
  });

  it('should choose the number of clusters that generated the data', () => {
    const points = blobs(
      [
        [0, 0],
        [8, 0],
        [0, 8],
        [8, 8],
      ],
      15,
      5,
    );
    const { k, scores, clustering } = chooseK(points, [2, 7], 1);
    expect(k).toBe(4);
    expect(scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(clustering.centroids).toHaveLength(4);
    expect(scores.find((s) => s.k === 4)!.silhouette).toBeGreaterThan(0.8);
  });

  it('should clip the range to 2..n-1 and reject an empty one', () => {
    expect(chooseK([[0], [1], [10], [11]], [1, 10]).scores.map((s) => s.k)).toEqual([2, 3]);
    expect(() => chooseK([[0], [1]], [2, 5])).toThrow(/No usable k/);
  });
});
