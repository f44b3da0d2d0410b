import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, goldenFile } from '../checkpoint/test-support/checkpoints.js';
import type { TensorInfo } from '../checkpoint/types.js';
import { ConfigError } from '../errors.js';
import { parseConfig } from './config.js';
import { convPosKernel, modelTensorSpecs } from './tensor-specs.js';
import { expectedTensorShapes, validateTensors } from './validate-tensors.js';

const fullSize = parseConfig(readFileSync(join(GOLDEN_DIR, 'full-size-config.yaml'), 'utf8'));
const tinyA = parseConfig(readFileSync(goldenFile('tiny-a', 'config.yaml'), 'utf8'));

const asTensors = (shapes: Map<string, number[]>): Map<string, TensorInfo> =>
  new Map([...shapes].map(([name, shape]) => [name, { name, dtype: 'float32', shape }]));

describe('expectedTensorShapes', () => {
  it('should match the real release: 185 tensors, 162,140,185 parameters', () => {
    const shapes = expectedTensorShapes(fullSize, 9);
    expect(shapes.size).toBe(185);
    expect([...shapes.values()].reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0)).toBe(162_140_185);
    expect(shapes.get('modality_encoders.AUDIO.alibi_scale')).toEqual([1, 1, 16, 1, 1]);
    expect(shapes.get('modality_encoders.AUDIO.relative_positional_encoder.5.0.weight')).toEqual([1024, 64, 19]);
    expect(shapes.get('modality_encoders.AUDIO.local_encoder.conv_layers.0.0.weight')).toEqual([512, 1, 10]);
    expect(shapes.get('modality_encoders.AUDIO.project_features.2.weight')).toEqual([1024, 512]);
    expect(shapes.get('modality_encoders.AUDIO.context_encoder.blocks.3.mlp.fc1.weight')).toEqual([4096, 1024]);
    expect(shapes.get('blocks.7.attn.qkv.weight')).toEqual([3072, 1024]);
    expect(shapes.get('proj.weight')).toEqual([9, 1024]);
    expect(shapes.has('blocks.8.norm1.weight')).toBe(false);
  });

  it('should follow data2vec 2.0 for the positional conv kernel', () => {
    expect(convPosKernel(fullSize)).toBe(19);
    expect(convPosKernel({ ...fullSize, audio: { ...fullSize.audio, convPosWidth: 10, convPosDepth: 5 } })).toBe(3);
  });

  it('should tag every tensor with its role', () => {
    const roles = new Map(modelTensorSpecs(tinyA, 9).map((spec) => [spec.name, spec.role]));
    expect(roles.get('modality_encoders.AUDIO.extra_tokens')).toBe('extra-tokens');
    expect(roles.get('modality_encoders.AUDIO.alibi_scale')).toBe('alibi-scale');
    expect(roles.get('modality_encoders.AUDIO.local_encoder.conv_layers.2.2.1.weight')).toBe('norm-weight');
    expect(roles.get('blocks.1.norm2.bias')).toBe('norm-bias');
    expect(roles.get('blocks.1.mlp.fc2.weight')).toBe('weight');
    expect(roles.get('proj.bias')).toBe('bias');
  });
});

describe('validateTensors', () => {
  it('should accept the expected tensors plus unused extras (decoder)', () => {
    const tensors = asTensors(expectedTensorShapes(tinyA, 9));
    tensors.set('modality_encoders.AUDIO.decoder.blocks.0.0.weight', { name: 'x', dtype: 'float32', shape: [16, 1, 7] });
    tensors.set('_ema', { name: '_ema', dtype: 'float16', shape: [3] });
    expect(() => validateTensors(tinyA, 9, tensors)).not.toThrow();
  });

  describe('EXPECTED FAILURE', () => {
    const failure = (tensors: Map<string, TensorInfo>, labels = 9): ConfigError => {
      try {
        validateTensors(tinyA, labels, tensors);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect(error).toMatchObject({ code: 'E2V_ERR_CONFIG_TENSOR_MISMATCH' });
        return error as ConfigError;
      }
      throw new Error('validateTensors accepted the tensors');
    };

    it('should name a missing tensor with its expected shape', () => {
      const tensors = asTensors(expectedTensorShapes(tinyA, 9));
      tensors.delete('blocks.1.attn.qkv.weight');
      expect(failure(tensors).message).toMatch(/1 problem\): missing blocks\.1\.attn\.qkv\.weight \(expected \[96, 32\]\)$/);
    });

    it('should name a mis-shaped tensor with expected and found shapes', () => {
      expect(failure(asTensors(expectedTensorShapes(tinyA, 9)), 5).message).toMatch(
        /2 problems\): proj\.weight has shape \[9, 32\], expected \[5, 32\]; proj\.bias has shape \[9\], expected \[5\]/,
      );
    });

    it('should name an unexpected tensor inside the model (config and checkpoint disagree on depth)', () => {
      const tensors = asTensors(expectedTensorShapes({ ...tinyA, depth: 3 }, 9));
      expect(failure(tensors).message).toMatch(/12 problems\): unexpected blocks\.2\.norm1\.weight \[32\]/);
    });

    it('should list at most 12 problems and count the rest', () => {
      const message = failure(new Map()).message;
      expect(message).toMatch(/\(77 problems\): missing modality_encoders\.AUDIO\.extra_tokens \(expected \[1, 10, 32\]\);/);
      expect(message).toMatch(/; and 65 more$/);
    });
  });
});
