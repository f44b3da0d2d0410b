/**
 * Test helpers (not built into dist): fixture files and signal comparisons.
 * Fixtures live in packages/engine/test/fixtures (see make-fixtures.sh there).
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '@e2v/npy';
import { GOLDEN_DIR } from '@e2v/testkit';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url);

/** Bytes of `test/fixtures/audio/<name>`. */
export function audioFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`audio/${name}`, FIXTURES)));
}

/** Bytes of the golden input `<root>/test/fixtures/emotion2vec/inputs/<name>`. */
export function goldenFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(GOLDEN_DIR, 'inputs', name)));
}

/** The float32 data of the golden `<root>/test/fixtures/emotion2vec/waveforms/<name>` (a 1-D .npy). */
export function goldenWaveform(name: string): Float32Array {
  const { dtype, shape, data } = readNpy(new Uint8Array(readFileSync(join(GOLDEN_DIR, 'waveforms', name))));
  if (dtype !== '<f4' || shape.length !== 1) throw new Error(`${name}: expected 1-D float32, got ${dtype} ${JSON.stringify(shape)}`);
  return data as Float32Array;
}

/** Largest |a[i] - b[i]| and where it is (lengths must match). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): { max: number; at: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) {
      max = d;
      at = i;
    }
  }
  return { max, at };
}

/** Normalised correlation of a[i + lag] with b[i] over their overlap. */
function correlationAt(a: Float32Array, b: Float32Array, lag: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  const start = Math.max(0, -lag);
  const end = Math.min(b.length, a.length - lag);
  for (let i = start; i < end; i++) {
    const x = a[i + lag]!;
    const y = b[i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * Aligns a decoded signal `a` with its original `b` (decoders add delay and padding): the lag in
 * [-maxLag, maxLag] with the highest normalised cross-correlation, and that correlation.
 */
export function alignedCorrelation(a: Float32Array, b: Float32Array, maxLag: number): { lag: number; r: number } {
  let best = { lag: 0, r: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const r = correlationAt(a, b, lag);
    if (r > best.r) best = { lag, r };
  }
  return best;
}
