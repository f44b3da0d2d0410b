/**
 * Feature standardisation: per-dimension mean and scale fitted on training vectors.
 * @module
 */
import type { Vector } from '@e2v/core';

/** Per-dimension mean and scale (the standard deviation, or 1 for a constant dimension). */
export interface Standardizer {
  mean: number[];
  scale: number[];
}

/**
 * Fits a standardizer.
 * @param vectors training vectors, all of one length (at least one)
 * @returns mean and scale per dimension
 */
export function fitStandardizer(vectors: readonly Vector[]): Standardizer {
  const dim = vectors[0]!.length;
  const mean = new Array<number>(dim).fill(0);
  const scale = new Array<number>(dim).fill(0);
  for (const v of vectors) for (let j = 0; j < dim; j++) mean[j]! += v[j]! / vectors.length;
  for (const v of vectors) for (let j = 0; j < dim; j++) scale[j]! += (v[j]! - mean[j]!) ** 2 / vectors.length;
  return { mean, scale: scale.map((variance) => (variance > 1e-24 ? Math.sqrt(variance) : 1)) };
}

/**
 * Standardizes one vector.
 * @param standardizer the fitted standardizer
 * @param vector a vector of the same length
 * @returns (vector - mean) / scale
 */
export function standardize(standardizer: Standardizer, vector: Vector): Float64Array {
  return Float64Array.from(standardizer.mean, (m, j) => (vector[j]! - m) / standardizer.scale[j]!);
}
