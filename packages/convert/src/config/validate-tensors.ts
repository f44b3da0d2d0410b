/**
 * Checks a checkpoint's tensors against the shapes its config predicts.
 * @module
 */
import type { TensorInfo } from '../checkpoint/types.js';
import { ConfigError } from '../errors.js';
import { MODEL_SCOPES, modelTensorSpecs } from './tensor-specs.js';
import type { Emotion2vecConfig } from './types.js';

/** Problems listed in one error message before the rest are only counted. */
const MAX_LISTED = 12;

/**
 * Every normalized tensor name the model needs, with its shape, in the release's file order.
 * @param config parsed config
 * @param numLabels labels in tokens.txt (rows of `proj.weight`)
 * @returns name -> shape
 */
export function expectedTensorShapes(config: Emotion2vecConfig, numLabels: number): Map<string, number[]> {
  return new Map(modelTensorSpecs(config, numLabels).map((spec) => [spec.name, spec.shape]));
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks that the checkpoint has every tensor the config predicts, with the
 * predicted shape, and nothing unpredicted inside the modules the model uses
 * (see {@link MODEL_SCOPES}; e.g. `blocks.8.*` for a config with depth 8). Tensors
 * outside those modules (the training decoder, ...) are ignored.
 * @param config parsed config
 * @param numLabels labels in tokens.txt
 * @param tensors the checkpoint's tensors by normalized name (`CheckpointReader.tensors`)
 * @throws ConfigError E2V_ERR_CONFIG_TENSOR_MISMATCH listing each missing, unexpected or
 *   mis-shaped tensor with the expected and found shapes
 */
export function validateTensors(config: Emotion2vecConfig, numLabels: number, tensors: ReadonlyMap<string, TensorInfo>): void {
  const expected = expectedTensorShapes(config, numLabels);
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const found = tensors.get(name);
    if (found === undefined) {
      problems.push(`missing ${name} (expected ${shapeText(shape)})`);
    } else if (found.shape.length !== shape.length || found.shape.some((d, i) => d !== shape[i])) {
      problems.push(`${name} has shape ${shapeText(found.shape)}, expected ${shapeText(shape)}`);
    }
  }
  for (const [name, info] of tensors) {
    if (!expected.has(name) && MODEL_SCOPES.some((scope) => name.startsWith(scope))) {
      problems.push(`unexpected ${name} ${shapeText(info.shape)} (not part of the model config.yaml describes)`);
    }
  }
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_LISTED).join('; ');
  const more = problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : '';
  throw new ConfigError(
    'E2V_ERR_CONFIG_TENSOR_MISMATCH',
    `checkpoint does not match config.yaml (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${listed}${more}`,
  );
}
