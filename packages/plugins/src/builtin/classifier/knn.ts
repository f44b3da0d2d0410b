/**
 * k-nearest-neighbour classification by cosine similarity.
 * @module
 */
import { cosineSimilarity, type Vector } from '@e2v/core';

/**
 * Class scores of one vector: the share of the `k` most similar training vectors in each class.
 * Ties in similarity keep training order.
 * @param points standardized training vectors
 * @param targets class index of each training vector
 * @param classCount number of classes
 * @param k neighbours (clipped to the number of points)
 * @param x the standardized vector to classify
 * @returns one score per class, summing to 1
 */
export function knnProbabilities(points: readonly Vector[], targets: readonly number[], classCount: number, k: number, x: Vector): number[] {
  const neighbours = points
    .map((p, i) => ({ similarity: cosineSimilarity(p, x), target: targets[i]! }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, Math.min(k, points.length));
  const votes = new Array<number>(classCount).fill(0);
  for (const { target } of neighbours) votes[target]! += 1 / neighbours.length;
  return votes;
}
