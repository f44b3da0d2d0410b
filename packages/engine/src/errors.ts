/**
 * Typed errors of the audio decoding layer. Every failure to turn bytes into samples is an
 * {@link AudioDecodeError} with one of the stable codes in {@link AUDIO_ERROR_CODES};
 * programmer mistakes (wrong argument types, bad options) are TypeError / RangeError.
 * @module
 */
import { E2vError } from '@e2v/core';

/**
 * Stable codes of {@link AudioDecodeError}, `E2V_ERR_AUDIO_<WHAT>`:
 * - `E2V_ERR_AUDIO_EMPTY`: zero bytes, or a well-formed file that holds no samples.
 * - `E2V_ERR_AUDIO_CORRUPT`: the format was recognised but its data cannot be decoded
 *   (truncated header, bad chunk layout, a decoder that errors or produces nothing).
 * - `E2V_ERR_AUDIO_UNSUPPORTED`: the bytes are not a format or codec this layer decodes;
 *   the message names what was found (e.g. "WAV format tag 0x0011 (IMA ADPCM)").
 * - `E2V_ERR_AUDIO_TOO_LONG`: the input is larger than `maxBytes` or longer than `maxDurationS`.
 * - `E2V_ERR_AUDIO_NO_CHANNELS`: the file declares or decodes to zero channels.
 * - `E2V_ERR_AUDIO_SAMPLE_RATE`: the sample rate is zero or above 1 MHz.
 * - `E2V_ERR_AUDIO_TIMEOUT`: decoding did not finish within `timeoutMs`; the decoder was stopped.
 * - `E2V_ERR_AUDIO_DECODER_CRASHED`: the decoder thread died (out of memory, WASM trap outside
 *   the decoder's own error handling, or a failure to start).
 */
export const AUDIO_ERROR_CODES = [
  'E2V_ERR_AUDIO_EMPTY',
  'E2V_ERR_AUDIO_CORRUPT',
  'E2V_ERR_AUDIO_UNSUPPORTED',
  'E2V_ERR_AUDIO_TOO_LONG',
  'E2V_ERR_AUDIO_NO_CHANNELS',
  'E2V_ERR_AUDIO_SAMPLE_RATE',
  'E2V_ERR_AUDIO_TIMEOUT',
  'E2V_ERR_AUDIO_DECODER_CRASHED',
] as const;

/** One of {@link AUDIO_ERROR_CODES}. */
export type AudioErrorCode = (typeof AUDIO_ERROR_CODES)[number];

/**
 * Audio bytes could not be decoded. `code` says why (see {@link AUDIO_ERROR_CODES}); `format`
 * is the container/codec that was recognised, when one was.
 */
export class AudioDecodeError extends E2vError {
  /** Stable code, one of {@link AUDIO_ERROR_CODES}. */
  declare readonly code: AudioErrorCode;
  /** Format recognised from the bytes (e.g. `"wav"`, `"mp3"`), or undefined when none was. */
  readonly format: string | undefined;

  /**
   * @param code stable code
   * @param message human-readable message naming what was found
   * @param options `format` recognised, and the underlying `cause`
   */
  constructor(code: AudioErrorCode, message: string, options?: { format?: string | undefined; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.format = options?.format;
  }
}
Object.defineProperty(AudioDecodeError.prototype, 'name', { value: 'AudioDecodeError' });

/** True when `code` is one of {@link AUDIO_ERROR_CODES} (used when errors cross a thread boundary). */
export function isAudioErrorCode(code: unknown): code is AudioErrorCode {
  return (AUDIO_ERROR_CODES as readonly unknown[]).includes(code);
}

/**
 * Stable codes of {@link ModelLoadError}, `E2V_ERR_MODEL_<WHAT>`:
 * - `E2V_ERR_MODEL_NOT_FOUND`: the model folder, its model.json, or a file model.json names is missing.
 * - `E2V_ERR_MODEL_MANIFEST`: model.json is not JSON or lacks / mistypes a field the engine needs.
 * - `E2V_ERR_MODEL_VARIANT`: the requested variant (`fp32` / `int8`) is not in the folder.
 * - `E2V_ERR_MODEL_SESSION`: ONNX Runtime could not open the graph (corrupt or unsupported file).
 * - `E2V_ERR_MODEL_GRAPH_IO`: the graph's inputs / outputs are not `waveform` -> `frames`, `embedding`, `logits`
 *   with the contract's types and ranks, or its embedding size differs from model.json.
 * - `E2V_ERR_MODEL_LABELS`: the graph's label count differs from model.json's `labels`.
 * - `E2V_ERR_MODEL_HEAD`: the `proj` head's weights cannot be found or read in the graph file.
 */
export const MODEL_ERROR_CODES = [
  'E2V_ERR_MODEL_NOT_FOUND',
  'E2V_ERR_MODEL_MANIFEST',
  'E2V_ERR_MODEL_VARIANT',
  'E2V_ERR_MODEL_SESSION',
  'E2V_ERR_MODEL_GRAPH_IO',
  'E2V_ERR_MODEL_LABELS',
  'E2V_ERR_MODEL_HEAD',
] as const;

/** One of {@link MODEL_ERROR_CODES}. */
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

/** A model folder could not be loaded; `code` says why, `modelDir` which folder. */
export class ModelLoadError extends E2vError {
  /** Stable code, one of {@link MODEL_ERROR_CODES}. */
  declare readonly code: ModelErrorCode;
  /** The model folder that was being loaded. */
  readonly modelDir: string;

  /**
   * @param code stable code
   * @param modelDir the folder being loaded
   * @param message human-readable message naming the file and what was wrong
   * @param options the underlying `cause`
   */
  constructor(code: ModelErrorCode, modelDir: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.modelDir = modelDir;
  }
}
Object.defineProperty(ModelLoadError.prototype, 'name', { value: 'ModelLoadError' });

/**
 * Stable codes of {@link InputError}, `E2V_ERR_INPUT_<WHAT>`:
 * - `E2V_ERR_INPUT_TOO_SHORT`: fewer 16 kHz samples than the model needs for one frame
 *   (model.json `minInputSamples`, 400 = 25 ms for emotion2vec+).
 * - `E2V_ERR_INPUT_TOO_LONG`: longer than the engine's `maxDurationS` (a decoded file over the
 *   limit fails earlier, with `E2V_ERR_AUDIO_TOO_LONG`).
 * - `E2V_ERR_INPUT_NOT_FINITE`: a Float32Array input holds NaN or ±Infinity.
 * - `E2V_ERR_INPUT_READ`: a path input cannot be read (missing, a folder, no permission).
 * - `E2V_ERR_INPUT_EMBEDDING_TOO_LARGE`: the frame embedding asked for passes
 *   `maxInlineEmbeddingMB` and no file was given to write it to (`embeddingFile`, `outputDir`).
 */
export const INPUT_ERROR_CODES = [
  'E2V_ERR_INPUT_TOO_SHORT',
  'E2V_ERR_INPUT_TOO_LONG',
  'E2V_ERR_INPUT_NOT_FINITE',
  'E2V_ERR_INPUT_EMBEDDING_TOO_LARGE',
  'E2V_ERR_INPUT_READ',
] as const;

/** One of {@link INPUT_ERROR_CODES}. */
export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number];

/** The audio given to `analyze` cannot be analyzed (apart from decoding failures, see {@link AudioDecodeError}). */
export class InputError extends E2vError {
  /** Stable code, one of {@link INPUT_ERROR_CODES}. */
  declare readonly code: InputErrorCode;

  /**
   * @param code stable code
   * @param message human-readable message with the numbers involved
   * @param options the underlying `cause`
   */
  constructor(code: InputErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
Object.defineProperty(InputError.prototype, 'name', { value: 'InputError' });

/**
 * The engine already holds `queueDepth` analyses; this one was refused at once, nothing was
 * done for it. Code `E2V_ERR_ENGINE_QUEUE_FULL`. A server maps it to 503 / 429 and retries later.
 */
export class QueueFullError extends E2vError {
  /** Always `E2V_ERR_ENGINE_QUEUE_FULL`. */
  declare readonly code: 'E2V_ERR_ENGINE_QUEUE_FULL';
  /** The limit that was reached. */
  readonly queueDepth: number;

  /** @param queueDepth the engine's limit */
  constructor(queueDepth: number) {
    super('E2V_ERR_ENGINE_QUEUE_FULL', `The engine is busy: ${queueDepth} analyses are already queued or running`);
    this.queueDepth = queueDepth;
  }
}
Object.defineProperty(QueueFullError.prototype, 'name', { value: 'QueueFullError' });

/**
 * The caller's AbortSignal fired before the analysis finished. Code `E2V_ERR_ENGINE_ABORTED`;
 * `cause` is the signal's reason. Nothing is written to the outputs folder.
 */
export class AbortedError extends E2vError {
  /** Always `E2V_ERR_ENGINE_ABORTED`. */
  declare readonly code: 'E2V_ERR_ENGINE_ABORTED';

  /** @param reason the signal's `reason` */
  constructor(reason: unknown) {
    super('E2V_ERR_ENGINE_ABORTED', 'The analysis was aborted', { cause: reason });
  }
}
Object.defineProperty(AbortedError.prototype, 'name', { value: 'AbortedError' });

/**
 * Stable codes of {@link InferenceError}:
 * - `E2V_ERR_INFER_FAILED`: ONNX Runtime failed while running the graph, or returned outputs
 *   of the wrong shape.
 * - `E2V_ERR_INFER_CRASHED`: the inference thread died (out of memory, or it was stopped); the
 *   engine starts a new one for the next analysis.
 * - `E2V_ERR_ENGINE_CLOSED`: `analyze` after `close()`, or an analysis still queued when `close()` ran.
 * - `E2V_ERR_OUTPUT_WRITE`: the outputs folder could not be written (nothing partial is left).
 */
export const INFERENCE_ERROR_CODES = ['E2V_ERR_INFER_FAILED', 'E2V_ERR_INFER_CRASHED', 'E2V_ERR_ENGINE_CLOSED', 'E2V_ERR_OUTPUT_WRITE'] as const;

/** One of {@link INFERENCE_ERROR_CODES}. */
export type InferenceErrorCode = (typeof INFERENCE_ERROR_CODES)[number];

/** Running the model, or delivering its result, failed. */
export class InferenceError extends E2vError {
  /** Stable code, one of {@link INFERENCE_ERROR_CODES}. */
  declare readonly code: InferenceErrorCode;

  /**
   * @param code stable code
   * @param message human-readable message
   * @param options the underlying `cause`
   */
  constructor(code: InferenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
Object.defineProperty(InferenceError.prototype, 'name', { value: 'InferenceError' });
