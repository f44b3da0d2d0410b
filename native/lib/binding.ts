/**
 * The only module that loads the compiled `.node` file, on first use: importing `@e2v/native`
 * never fails, so commands that need no DSP (`e2v help`, `e2v model pull`) run where the addon is
 * not built. It describes the raw native shape; `index.ts` validates arguments and adapts it to
 * the public API.
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeLoadError, type NativeLoadAttempt } from './errors.js';

/** Raw shapes of the addon's exports. Arguments are validated in TS before these are called. */
export declare namespace Binding {
  /** Kaldi fbank options with every field present (defaults filled in by TS). */
  interface RawFbankOptions {
    sampleFrequency: number;
    frameLengthMs: number;
    frameShiftMs: number;
    dither: number;
    ditherSeed: number;
    preemphasisCoefficient: number;
    removeDcOffset: boolean;
    windowType: 'povey' | 'hamming' | 'hanning' | 'rectangular' | 'blackman';
    blackmanCoeff: number;
    roundToPowerOfTwo: boolean;
    numMelBins: number;
    lowFreq: number;
    highFreq: number;
    useEnergy: boolean;
    rawEnergy: boolean;
    energyFloor: number;
    snipEdges: boolean;
    useLogFbank: boolean;
    usePower: boolean;
  }
  /** fbank output: row-major frames x bins. */
  interface RawFbankResult {
    data: Float32Array;
    frames: number;
    bins: number;
  }
  /** Resampling quality: torchaudio parity, or very high quality. */
  type RawQuality = 'parity' | 'vhq';
  /** Opaque handle of a native streaming resampler (freed by the garbage collector). */
  interface ResamplerHandle {
    readonly __brand: 'ResamplerHandle';
  }
  /** The module object. */
  interface Module {
    simd(): string; // [sync]
    cpuFeatures(): { arch: string; vendor: string; brand: string; family: number; model: number; stepping: number; flags: Record<string, boolean> }; // [sync]
    fbank(samples: Float32Array, opts: RawFbankOptions): RawFbankResult; // [sync]
    fbankAsync(samples: Float32Array, opts: RawFbankOptions): Promise<RawFbankResult>; // [async]
    resample(samples: Float32Array, fromHz: number, toHz: number, quality: RawQuality): Float32Array; // [sync]
    resampleAsync(samples: Float32Array, fromHz: number, toHz: number, quality: RawQuality): Promise<Float32Array>; // [async]
    resamplerCreate(fromHz: number, toHz: number, quality: RawQuality): ResamplerHandle; // [sync]
    resamplerProcess(handle: ResamplerHandle, chunk: Float32Array): Float32Array; // [sync]
    resamplerFlush(handle: ResamplerHandle): Float32Array; // [sync]
    resamplerReset(handle: ResamplerHandle): void; // [sync]
    downmix(channels: readonly Float32Array[]): Float32Array; // [sync]
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Paths to try, in order. E2V_NATIVE_PATH, when set, is the only one: an
 * explicit choice must not silently fall back to another binary.
 */
function candidatePaths(): string[] {
  const fromEnv = process.env.E2V_NATIVE_PATH;
  if (fromEnv) return [resolve(fromEnv)];
  // lib/ (sources, under vitest) and dist/ (compiled) both sit one level below the package root.
  return [resolve(here, '..', 'build', 'Release', 'e2v_native.node'), resolve(here, '..', 'build', 'Debug', 'e2v_native.node')];
}

function load(): Binding.Module {
  const require = createRequire(import.meta.url);
  const attempts: NativeLoadAttempt[] = [];
  for (const path of candidatePaths()) {
    try {
      return require(path) as Binding.Module;
    } catch (error) {
      attempts.push({ path, reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) });
    }
  }
  throw new NativeLoadError(attempts);
}

let loaded: Binding.Module | undefined;

/**
 * The addon, loaded by the first call (later calls return the same module; after a failure the
 * next call tries again).
 * @throws NativeLoadError `E2V_ERR_NATIVE_LOAD` when no binary loads
 */
export function binding(): Binding.Module {
  loaded ??= load();
  return loaded;
}
