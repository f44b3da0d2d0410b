/**
 * `@e2v/convert`: emotion2vec+ checkpoints to ONNX, synthetic models, model pull.
 * @module
 */
export type { CheckpointReader, SourceDtype, TensorInfo } from './checkpoint/types.js';
export type { ConvLayerSpec, Emotion2vecConfig, ModelLabel } from './config/types.js';
export { CheckpointError, ConfigError, ConvertError, PullError } from './errors.js';
