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
export { parseFeatureEncoderSpec } from './config/feature-spec.js';
export { maskedLabelIndices, parseTokens } from './config/tokens.js';
export { expectedTensorShapes, validateTensors } from './config/validate-tensors.js';
export { convPosKernel, modelTensorSpecs, type TensorRole, type TensorSpec } from './config/tensor-specs.js';
export * from './pull/index.js';
export { saveCheckpoint, type SaveCheckpointOptions, type SavedTensor, type SaveLayout } from './checkpoint/save.js';
export { PickleNode, py, type PickleNodeSpec, type PickleValue, type PlainValue } from './checkpoint/pickle-writer.js';
export { OFFICIAL_TOKENS, SYNTH_MARKER, synthCheckpoint, type SynthMarker, type SynthOptions, type SynthReport } from './synth/synth.js';
export {
  convertCheckpoint,
  SOURCE_FILES,
  type ConvertOptions,
  type ConvertProgress,
  type ConvertReport,
  type ConvertStage,
} from './convert.js';
export {
  alibiSlopes,
  buildEmotion2vecGraph,
  EMOTION2VEC_IR_VERSION,
  EMOTION2VEC_OPSET,
  frameCount,
  minInputSamples,
  type AttentionImpl,
  type Emotion2vecGraphOptions,
  type GraphVariant,
  type WeightSource,
} from './onnx/emotion2vec-graph.js';
export { writeModel, type WriteModelOptions, type WrittenModel } from './onnx/write-model.js';
export { INT8_WEIGHT_LIMIT, quantizeInt8PerColumn, type Int8Weights } from './onnx/quantize-int8.js';
