/**
 * Options of `Engine.load` and `engine.analyze`, checked strictly: an unknown key (a
 * misspelling) is a TypeError, a value of the wrong type a TypeError, one out of range a
 * RangeError, each naming the option.
 * @module
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_DURATION_S } from './decode/limits.js';
import { silentLogger, type Logger } from './logger.js';
import type { VariantRequest } from './model/variant-choice.js';
import { resolveDecodeOptions, type DecodeOptions } from './options.js';
import type { Granularity } from '@e2v/core';

/** Options of `Engine.load`. */
export interface EngineOptions {
  /** ONNX Runtime intra-op threads (default `os.availableParallelism()`). */
  threads?: number;
  /**
   * Graph variant to run: `fp32`, `int8`, or `auto` (default): the faster one for this CPU among
   * those the folder holds (int8 on x86-64 with AVX2 and ARM64 with dot product, see
   * `model/variant-choice.ts`). `Engine.info` says which ran and why.
   */
  variant?: VariantRequest;
  /** Where the engine logs (default: nowhere). */
  logger?: Logger;
  /**
   * Most analyses the engine holds at once: reading or decoding, waiting for the model, or
   * running (default 16). One more is refused at once with `QueueFullError`. An aborted
   * analysis leaves the count at once, even if its model run finishes in the background.
   */
  queueDepth?: number;
  /**
   * Inputs longer than this many seconds are analyzed in segments of at most this length, cut at
   * low-energy points (default 30; at least 0.5).
   */
  maxSegmentS?: number;
  /** Longest input accepted, in seconds (default 3600). */
  maxDurationS?: number;
  /** Decoder limits other than the duration: `maxBytes`, `timeoutMs` (see `DecodeOptions`). */
  decode?: Omit<DecodeOptions, 'maxDurationS'>;
  /**
   * ONNX Runtime's CPU memory arena (default true). Off returns memory to the system after each
   * run, at about 20% of speed.
   */
  memoryArena?: boolean;
  /**
   * Let ONNX Runtime pre-pack the MatMul weights when the session is created (default true).
   * Pre-packing copies every weight into the layout the kernels read. Measured on the full-size
   * model (2 cores, 2 threads): runs fp32 ~8% faster, int8 ~15-25% faster (int8 1.64x faster than
   * fp32 on 20 s instead of 1.49x); cold start to the first result fp32 0.50 -> 1.07 s, int8
   * 0.40 -> 0.47 s; memory after load fp32 0.09 -> 0.66 GB, int8 0.10 -> 0.24 GB, with the same
   * peak (a run touches every weight anyway). Turn it off for the fastest start of a command
   * that analyzes one short file with fp32.
   */
  prepackWeights?: boolean;
}

/** Options of `engine.analyze`. */
export interface AnalyzeOptions {
  /** `utterance` (default) or `frame` (adds the frame time series). */
  granularity?: Granularity;
  /** Also return the embedding: (D,) for utterance, (T', D) frame features for frame (default false). */
  embedding?: boolean;
  /** Write `<outputDir>/outputs_YYYYMMDD_HHMMSS[_N]/` (default: nothing written). */
  outputDir?: string;
  /**
   * What a failed write of the outputs folder does: `throw` (default) fails the analysis with
   * `E2V_ERR_OUTPUT_WRITE`; `report` keeps the result and returns the error as
   * `Analysis.outputError` (with `outputDir: null`), for callers that can use a result nobody saved
   * (a server whose disk is full).
   */
  outputFailure?: OutputFailure;
  /**
   * Also write the embedding to this .npy path (under a temporary name, renamed when complete).
   * A frame embedding is written row by row as segments finish, never whole in memory.
   */
  embeddingFile?: string;
  /**
   * Largest frame embedding (T' x D float32) returned in memory as `Analysis.embedding`, in MB
   * (default 64: about 5 minutes of audio at 50 frames/s and D = 1024). A longer input's frame
   * embedding is only written to files (`embeddingFile`, `outputDir`) and `Analysis.embedding`
   * is null; with neither, the analysis fails with `E2V_ERR_INPUT_EMBEDDING_TOO_LARGE` as soon
   * as it passes the limit.
   */
  maxInlineEmbeddingMB?: number;
  /**
   * Called with the 16 kHz mono samples of each segment, in order, before its model run (the
   * input a piece at a time, for a caller that wants the audio too, e.g. a spectrogram, without a
   * second decode). The array is valid only during the call; a thrown error fails the analysis.
   */
  onAudio?: (samples: Float32Array) => void | Promise<void>;
  /** Cancels the analysis; it then fails with `AbortedError`. */
  signal?: AbortSignal;
  /**
   * Length in seconds of the centred window whose mean logits score each frame, in
   * [0, {@link MAX_WINDOW_S}] (default 1.0; 0 = each frame on its own). The Result's
   * `frames.window_s` records it.
   */
  windowS?: number;
}

/** What a failed write of the outputs folder does (see {@link AnalyzeOptions.outputFailure}). */
export type OutputFailure = 'throw' | 'report';

/** {@link EngineOptions} with defaults filled in. */
export interface ResolvedEngineOptions {
  threads: number;
  variant: VariantRequest;
  logger: Logger;
  queueDepth: number;
  maxSegmentS: number;
  maxDurationS: number;
  decode: { maxBytes: number; timeoutMs: number };
  memoryArena: boolean;
  prepackWeights: boolean;
}

/** {@link AnalyzeOptions} with defaults filled in. */
export interface ResolvedAnalyzeOptions {
  granularity: Granularity;
  embedding: boolean;
  outputDir: string | undefined;
  outputFailure: OutputFailure;
  embeddingFile: string | undefined;
  maxInlineEmbeddingMB: number;
  onAudio: ((samples: Float32Array) => void | Promise<void>) | undefined;
  signal: AbortSignal | undefined;
  windowS: number;
}

/** Default `maxSegmentS`. */
export const DEFAULT_MAX_SEGMENT_S = 30;
/** Default `queueDepth`. */
export const DEFAULT_QUEUE_DEPTH = 16;
/** Default `maxInlineEmbeddingMB`. */
export const DEFAULT_MAX_INLINE_EMBEDDING_MB = 64;
/** Default `windowS`. */
export const DEFAULT_WINDOW_S = 1.0;
/** Largest `windowS` (the smallest is 0); the server and the CLI check the same range. */
export const MAX_WINDOW_S = 3600;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an Array';
  if (typeof value === 'object') return `an object of type ${(value as object).constructor?.name ?? 'Object'}`;
  return `a ${typeof value} (${String(value)})`;
}

function checkObject(options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`Expected an options object but received ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`Unknown option '${key}'; known options: ${known.join(', ')}`);
  }
  return options as Record<string, unknown>;
}

function number(name: string, value: unknown, fallback: number, min: number, max: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`Expected a number for ${name} but received ${describe(value)}`);
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`Expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}] for ${name} but received ${value}`);
  }
  return value;
}

function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`Expected a boolean for ${name} but received ${describe(value)}`);
  return value;
}

function isLogger(value: unknown): value is Logger {
  return (
    typeof value === 'object' &&
    value !== null &&
    (['debug', 'info', 'warn', 'error', 'child'] as const).every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}

/** Checks `Engine.load` options and fills in the defaults. */
export function resolveEngineOptions(options: unknown): ResolvedEngineOptions {
  const o = checkObject(options, ['threads', 'variant', 'logger', 'queueDepth', 'maxSegmentS', 'maxDurationS', 'decode', 'memoryArena', 'prepackWeights']);
  if (o.variant !== undefined && o.variant !== 'fp32' && o.variant !== 'int8' && o.variant !== 'auto') {
    throw new TypeError(`Expected 'fp32', 'int8' or 'auto' for variant but received ${describe(o.variant)}`);
  }
  if (o.logger !== undefined && !isLogger(o.logger)) {
    throw new TypeError(`Expected a Logger (debug, info, warn, error, child) for logger but received ${describe(o.logger)}`);
  }
  if (o.decode !== undefined && typeof o.decode === 'object' && o.decode !== null && 'maxDurationS' in o.decode) {
    throw new TypeError("Unknown option 'decode.maxDurationS'; set maxDurationS at the top level");
  }
  const maxDurationS = number('maxDurationS', o.maxDurationS, DEFAULT_MAX_DURATION_S, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, false);
  const decode = resolveDecodeOptions(o.decode === undefined ? undefined : { ...(o.decode as object), maxDurationS });
  return {
    threads: number('threads', o.threads, availableParallelism(), 1, 1024, true),
    variant: (o.variant as VariantRequest | undefined) ?? 'auto',
    logger: (o.logger as Logger | undefined) ?? silentLogger,
    queueDepth: number('queueDepth', o.queueDepth, DEFAULT_QUEUE_DEPTH, 1, 1_000_000, true),
    maxSegmentS: number('maxSegmentS', o.maxSegmentS, DEFAULT_MAX_SEGMENT_S, 0.5, 3600, false),
    maxDurationS,
    decode: { maxBytes: decode.maxBytes, timeoutMs: decode.timeoutMs },
    memoryArena: boolean('memoryArena', o.memoryArena, true),
    prepackWeights: boolean('prepackWeights', o.prepackWeights, true),
  };
}

/** Checks `engine.analyze` options and fills in the defaults. */
export function resolveAnalyzeOptions(options: unknown): ResolvedAnalyzeOptions {
  const o = checkObject(options, [
    'granularity',
    'embedding',
    'outputDir',
    'outputFailure',
    'embeddingFile',
    'maxInlineEmbeddingMB',
    'onAudio',
    'signal',
    'windowS',
  ]);
  if (o.granularity !== undefined && o.granularity !== 'utterance' && o.granularity !== 'frame') {
    throw new TypeError(`Expected 'utterance' or 'frame' for granularity but received ${describe(o.granularity)}`);
  }
  if (o.outputDir !== undefined && (typeof o.outputDir !== 'string' || o.outputDir === '')) {
    throw new TypeError(`Expected a folder path for outputDir but received ${describe(o.outputDir)}`);
  }
  if (o.embeddingFile !== undefined && (typeof o.embeddingFile !== 'string' || o.embeddingFile === '')) {
    throw new TypeError(`Expected a file path for embeddingFile but received ${describe(o.embeddingFile)}`);
  }
  if (o.onAudio !== undefined && typeof o.onAudio !== 'function') {
    throw new TypeError(`Expected a function for onAudio but received ${describe(o.onAudio)}`);
  }
  if (o.outputFailure !== undefined && o.outputFailure !== 'throw' && o.outputFailure !== 'report') {
    throw new TypeError(`Expected 'throw' or 'report' for outputFailure but received ${describe(o.outputFailure)}`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError(`Expected an AbortSignal for signal but received ${describe(o.signal)}`);
  }
  return {
    granularity: (o.granularity as Granularity | undefined) ?? 'utterance',
    embedding: boolean('embedding', o.embedding, false),
    outputDir: o.outputDir as string | undefined,
    outputFailure: (o.outputFailure as OutputFailure | undefined) ?? 'throw',
    embeddingFile: o.embeddingFile as string | undefined,
    maxInlineEmbeddingMB: number('maxInlineEmbeddingMB', o.maxInlineEmbeddingMB, DEFAULT_MAX_INLINE_EMBEDDING_MB, 0, 1_000_000, false),
    onAudio: o.onAudio as ResolvedAnalyzeOptions['onAudio'],
    signal: o.signal as AbortSignal | undefined,
    windowS: number('windowS', o.windowS, DEFAULT_WINDOW_S, 0, MAX_WINDOW_S, false),
  };
}
