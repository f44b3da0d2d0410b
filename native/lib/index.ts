/**
 * `@e2v/native`: SIMD Kaldi fbank, torchaudio-compatible resampling and
 * downmix, as a C++17 Node-API addon. Names and shapes are fixed by docs/design.md.
 * @module
 */
import { binding } from './binding.js';

export { NativeLoadError, type NativeLoadAttempt } from './errors.js';
export { fbank, fbankAsync, type FbankOptions, type FbankResult, type WindowType } from './fbank.js';
export { resample, resampleAsync, Resampler, type ResampleOptions, type ResampleQuality } from './resample.js';
export { downmix } from './downmix.js';
export { cpuFeatures, type CpuFeatures, type CpuFlags } from './cpu.js';

/** SIMD paths the addon can run. */
export type SimdPath = 'avx2' | 'sse2' | 'neon' | 'scalar';

/**
 * [sync] The SIMD path in use, chosen at load time from the CPU. Set the
 * environment variable `E2V_SIMD=scalar` (or `sse2`) before loading to force a lower path.
 */
export function simd(): SimdPath {
  return binding.simd() as SimdPath;
}
