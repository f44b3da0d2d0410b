/**
 * `@e2v/convert`: emotion2vec+ checkpoints to ONNX, synthetic models, model pull.
 * @module
 */
export type { CheckpointReader, SourceDtype, TensorInfo } from './checkpoint/types.js';
export type { ConvLayerSpec, Emotion2vecConfig } from './config/types.js';
export { CheckpointError, ConfigError, ConvertError, PullError } from './errors.js';
export { openCheckpoint } from './checkpoint/open.js';
export { parseConfig } from './config/config.js';
export { forwardFlops, type ForwardFlops } from './config/flops.js';
export * from './pull/index.js';
export { synthCheckpoint, type SynthMarker, type SynthOptions, type SynthReport } from './synth/synth.js';
export {
  convertCheckpoint,
  SOURCE_FILES,
  type ConvertOptions,
  type ConvertProgress,
  type ConvertReport,
  type ConvertStage,
} from './convert.js';
export { buildEmotion2vecGraph, EMOTION2VEC_IR_VERSION, EMOTION2VEC_OPSET, frameCount, minInputSamples } from './onnx/emotion2vec-graph.js';
export { alibiSlopes } from './onnx/emotion2vec-alibi.js';
export type { AttentionImpl, Emotion2vecGraphOptions, GraphVariant, WeightSource } from './onnx/emotion2vec-options.js';
export { INT8_WEIGHT_LIMIT } from './onnx/quantize-int8.js';
export { writeModel, type WriteModelOptions, type WrittenModel } from './onnx/write-model.js';
