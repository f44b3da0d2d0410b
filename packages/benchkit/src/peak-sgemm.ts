/**
 * The CPU's peak single-precision matrix-multiply rate as ONNX Runtime reaches it, measured in
 * the benchmark's own run: the yardstick that makes figures from different hosts comparable
 * (efficiency = the model's FLOPs per audio second / peak / RTF).
 * @module
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

/** Folder of the MatMul models (written by packages/convert/bench/sgemm-fixtures.ts). */
export const SGEMM_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Side of the square matrices timed. */
export const PEAK_SGEMM_SIZE = 2048;

/** One measurement. */
export interface PeakSgemm {
  /** ORT intra-op threads used. */
  threads: number;
  /**
   * The peak: GFLOP/s of `a @ b` with b a constant that ORT pre-packs once, as it does a model's
   * weights (the faster of the two ways; efficiency figures divide by this).
   */
  gflops: number;
  /** GFLOP/s with both operands inputs (b packed again on every run). */
  unpackedGflops: number;
}

async function bestRate(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, runs: number): Promise<number> {
  const n = PEAK_SGEMM_SIZE;
  for (let i = 0; i < 2; i++) await session.run(feeds);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    best = Math.min(best, performance.now() - t0);
  }
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

/** Deterministic, finite matrix values (the rate does not depend on them). */
function matrix(seed: number): Float32Array {
  const n = PEAK_SGEMM_SIZE;
  const m = new Float32Array(n * n);
  for (let i = 0; i < m.length; i++) m[i] = (((i * 2654435761 + seed) >>> 0) % 2001) / 1000 - 1;
  return m;
}

/**
 * [async] Times ONNX Runtime's MatMul on 2048 x 2048 float32 matrices with `threads` intra-op
 * threads: the best of `runs` after two warm-up runs, with a pre-packed constant b (the peak)
 * and with both operands inputs.
 */
export async function measurePeakSgemm(threads: number, runs = 12): Promise<PeakSgemm> {
  const n = PEAK_SGEMM_SIZE;
  const work = await mkdtemp(join(tmpdir(), 'e2v-peak-sgemm-'));
  try {
    for (const name of ['sgemm-inputs.onnx', 'sgemm-constant-b.onnx']) await copyFile(join(SGEMM_FIXTURES_DIR, name), join(work, name));
    await writeFile(join(work, 'sgemm-b.bin'), new Uint8Array(matrix(2).buffer));
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    };
    const a = new ort.Tensor('float32', matrix(1), [n, n]);
    const inputs = await ort.InferenceSession.create(join(work, 'sgemm-inputs.onnx'), options);
    const unpackedGflops = await bestRate(inputs, { a, b: new ort.Tensor('float32', matrix(2), [n, n]) }, runs);
    await inputs.release();
    const constant = await ort.InferenceSession.create(join(work, 'sgemm-constant-b.onnx'), options);
    const gflops = await bestRate(constant, { a }, runs);
    await constant.release();
    return { threads, gflops, unpackedGflops };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
