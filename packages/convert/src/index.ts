/**
 * `@e2v/convert`: emotion2vec+ checkpoints to ONNX, synthetic models, model pull.
 * @module
 */
export type { CheckpointReader, SourceDtype, TensorInfo } from './checkpoint/types.js';
export type { ConvLayerSpec, Emotion2vecConfig, ModelLabel } from './config/types.js';
export { CheckpointError, ConfigError, ConvertError, PullError } from './errors.js';
export { openCheckpoint } from './checkpoint/open.js';
export { parseConfig } from './config/config.js';
export { parseFeatureEncoderSpec } from './config/feature-spec.js';
export { maskedLabelIndices, parseTokens } from './config/tokens.js';
export { expectedTensorShapes, validateTensors } from './config/validate-tensors.js';
export { convPosKernel, modelTensorSpecs, type TensorRole, type TensorSpec } from './config/tensor-specs.js';
export * from './pull/index.js';
export { saveCheckpoint, type SaveCheckpointOptions, type SavedTensor, type SaveLayout } from './checkpoint/save.js';
export type { PlainValue } from './checkpoint/pickle-writer.js';
export { OFFICIAL_TOKENS, SYNTH_MARKER, synthCheckpoint, type SynthMarker, type SynthOptions, type SynthReport } from './synth/synth.js';
