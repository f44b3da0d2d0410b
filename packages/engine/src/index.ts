/**
 * `@e2v/engine`: audio decoding, 16 kHz loading and emotion2vec+ inference on onnxruntime-node.
 * Names and shapes follow docs/design.md.
 * @module
 */
export { Engine, type AnalyzeInput, type Analysis, type Embedding, type EngineInfo, type StagedAnalysis } from './engine.js';
export { type AnalyzeOptions, type EngineOptions, type OutputFailure, DEFAULT_MAX_SEGMENT_S, DEFAULT_QUEUE_DEPTH, DEFAULT_WINDOW_S, MAX_WINDOW_S } from './engine-options.js';
export type { FrameSeries, Granularity, Result, Scores, SegmentResult } from './result/types.js';
export type { ModelLabel, ModelVariant } from './model/manifest.js';
export { chooseVariant, int8IsFaster, type VariantChoice, type VariantRequest } from './model/variant-choice.js';
export { labelEmoji, labelEn, labelNames, labelZh, type LabelNames } from './result/labels.js';
export { silentLogger, type Logger, type LogFields } from './logger.js';
export { OUTPUT_FILES, removeStaleStaging } from './outputs.js';
export { formatLocalTimestamp, outputsFolderName } from './local-time.js';
export { encodeWavPcm16 } from './wav-writer.js';
export { decodeAudio, type DecodedAudio } from './decode-audio.js';
export { siblingWorkerScript } from './worker-script.js';
export { loadAudio16k, MODEL_SAMPLE_RATE, type LoadedAudio } from './load-audio.js';
export type { DecodeOptions } from './options.js';
export type { AudioFormat } from './decode/sniff.js';
export { AUDIO_WARNING_CODES, type AudioWarning, type AudioWarningCode } from './decode/warnings.js';
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
