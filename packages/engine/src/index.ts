/**
 * `@e2v/engine`: audio decoding, 16 kHz loading and emotion2vec+ inference on onnxruntime-node.
 * Names and shapes follow docs/design.md.
 * @module
 */
export { Engine, type AnalyzeInput, type Analysis, type Embedding, type EngineInfo } from './engine.js';
export { type AnalyzeOptions, type EngineOptions, type OutputFailure, DEFAULT_MAX_SEGMENT_S, DEFAULT_QUEUE_DEPTH, DEFAULT_WINDOW_S, MAX_WINDOW_S } from './engine-options.js';
// the Result and model types are @e2v/core's; re-exported for users of the Engine API
export type { AudioWarning, FrameSeries, Granularity, ModelLabel, ModelVariant, Result, Scores, SegmentResult } from '@e2v/core';
export { chooseVariant, int8IsFaster, type VariantChoice, type VariantRequest } from './model/variant-choice.js';
export { silentLogger, type Logger, type LogFields } from './logger.js';
export { OUTPUT_FILES, removeStaleStaging } from './outputs.js';
export { formatLocalTimestamp, outputsFolderName } from './local-time.js';
export { encodeWavPcm16 } from './wav-writer.js';
export { formatResultJson } from './result/result-json.js';
export { decodeAudio, type DecodedAudio } from './decode-audio.js';
export { siblingWorkerScript } from './worker-script.js';
export { loadAudio16k, MODEL_SAMPLE_RATE, type LoadedAudio } from './load-audio.js';
export type { DecodeOptions } from './options.js';
export type { AudioFormat } from './decode/sniff.js';
export {
  AbortedError,
  AUDIO_ERROR_CODES,
  AudioDecodeError,
  INFERENCE_ERROR_CODES,
  InferenceError,
  INPUT_ERROR_CODES,
  InputError,
  MODEL_ERROR_CODES,
  ModelLoadError,
  QueueFullError,
  type AudioErrorCode,
  type InferenceErrorCode,
  type InputErrorCode,
  type ModelErrorCode,
} from './errors.js';
