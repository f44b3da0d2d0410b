import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { goldenFile, GOLDEN_DIR } from '../checkpoint/test-support/checkpoints.js';
import { ConfigError } from '../errors.js';
import { parseConfig } from './config.js';

const tinyA = readFileSync(goldenFile('tiny-a', 'config.yaml'), 'utf8');
const AUDIO = ['model_conf', 'modalities', 'audio'];

/** tiny-a's config.yaml with one key set (or deleted when `value` is undefined). */
function edited(path: string[], value: unknown): string {
  const doc = parseDocument(tinyA);
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, value);
  return doc.toString();
}

const spec = (channels: number): number[][] => [[channels, 10, 5], ...Array.from({ length: 4 }, () => [channels, 3, 2]), [channels, 2, 2], [channels, 2, 2]];

describe('parseConfig', () => {
  it.each([
    ['tiny-a', goldenFile('tiny-a', 'config.yaml'), { embedDim: 32, depth: 2, numHeads: 4, prenetDepth: 1, channels: 16 }],
    ['tiny-b-5class', goldenFile('tiny-b-5class', 'config.yaml'), { embedDim: 64, depth: 2, numHeads: 4, prenetDepth: 2, channels: 24 }],
    ['full-size', join(GOLDEN_DIR, 'full-size-config.yaml'), { embedDim: 1024, depth: 8, numHeads: 16, prenetDepth: 4, channels: 512 }],
  ])('should read the %s config', (_, path, want) => {
    expect(parseConfig(readFileSync(path, 'utf8'))).toEqual({
      embedDim: want.embedDim,
      depth: want.depth,
      numHeads: want.numHeads,
      mlpRatio: 4,
      normEps: 1e-5,
      normalize: true,
      audio: {
        featureEncoderSpec: spec(want.channels),
        convPosWidth: 95,
        convPosDepth: 5,
        convPosGroups: 16,
        prenetDepth: want.prenetDepth,
        numExtraTokens: 10,
        numAlibiHeads: want.numHeads,
      },
    });
  });

  it('should ignore keys and sections it does not use', () => {
    const doc = parseDocument(tinyA);
    doc.setIn(['model_conf', 'modalities', 'image'], { patch_size: 16, embed_dim: 768 });
    doc.setIn(['frontend_conf'], { fs: 16000 });
    doc.setIn([...AUDIO, 'decoder'], null);
    expect(parseConfig(doc.toString())).toEqual(parseConfig(tinyA));
  });

  describe('EXPECTED FAILURE', () => {
    it.each([
      [['model_conf', 'layer_norm_first'], true, /model_conf\.layer_norm_first: true is not supported \(only false is\)/],
      [['model_conf', 'norm_affine'], false, /model_conf\.norm_affine: false is not supported/],
      [[...AUDIO, 'extractor_mode'], 'default', /model_conf\.modalities\.audio\.extractor_mode: 'default' is not supported \(only 'layer_norm' is\)/],
      [[...AUDIO, 'conv_pos_pre_ln'], true, /audio\.conv_pos_pre_ln: true is not supported/],
      [[...AUDIO, 'use_alibi_encoder'], false, /audio\.use_alibi_encoder: false is not supported/],
      [[...AUDIO, 'learned_alibi_scale'], false, /audio\.learned_alibi_scale: false is not supported/],
      [[...AUDIO, 'learned_alibi_scale_per_head'], false, /audio\.learned_alibi_scale_per_head: false is not supported/],
      [[...AUDIO, 'learned_alibi_scale_per_layer'], true, /audio\.learned_alibi_scale_per_layer: true is not supported/],
      [[...AUDIO, 'num_alibi_heads'], 8, /audio\.num_alibi_heads: 8 is not supported \(it must equal model_conf\.num_heads \(4\)\)/],
      [[...AUDIO, 'prenet_depth'], 0, /audio\.prenet_depth: 0 is not supported/],
      [[...AUDIO, 'num_extra_tokens'], 0, /audio\.num_extra_tokens: 0 is not supported/],
    ])('should reject unsupported %j = %j', (path, value, message) => {
      const attempt = (): unknown => parseConfig(edited(path, value));
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(expect.objectContaining({ code: 'E2V_ERR_CONFIG_UNSUPPORTED' }));
    });

    it.each([
      [['model_conf', 'embed_dim'], /config\.yaml has no model_conf\.embed_dim/],
      [[...AUDIO, 'extractor_mode'], /has no model_conf\.modalities\.audio\.extractor_mode/],
      [['model_conf', 'modalities'], /has no model_conf\.modalities$/],
    ])('should name a missing key %j', (path, message) => {
      expect(() => parseConfig(edited(path, undefined))).toThrow(message);
      expect(() => parseConfig(edited(path, undefined))).toThrow(expect.objectContaining({ code: 'E2V_ERR_CONFIG_MISSING_KEY' }));
    });

    it.each([
      [['model_conf', 'depth'], 2.5, /model_conf\.depth must be a positive integer, got 2\.5/],
      [['model_conf', 'embed_dim'], '32', /model_conf\.embed_dim must be a positive integer, got '32'/],
      [['model_conf', 'embed_dim'], 30, /model_conf\.embed_dim must be a multiple of num_heads \(4\), got 30/],
      [['model_conf', 'embed_dim'], 36, /must be a multiple of conv_pos_groups \(16\), got 36/],
      [['model_conf', 'norm_eps'], -1, /model_conf\.norm_eps must be a positive number, got -1/],
      [['model_conf', 'mlp_ratio'], 0.001, /model_conf\.mlp_ratio must be large enough/],
      [['model_conf', 'normalize'], 'yes', /model_conf\.normalize must be true or false, got 'yes'/],
      [[...AUDIO, 'feature_encoder_spec'], 5, /feature_encoder_spec must be a string, got 5/],
    ])('should reject invalid %j = %j', (path, value, message) => {
      expect(() => parseConfig(edited(path, value))).toThrow(message);
      expect(() => parseConfig(edited(path, value))).toThrow(expect.objectContaining({ code: 'E2V_ERR_CONFIG_INVALID_VALUE' }));
    });

    it('should reject text that is not a YAML mapping', () => {
      expect(() => parseConfig('model_conf: [1, 2')).toThrow(expect.objectContaining({ code: 'E2V_ERR_CONFIG_YAML' }));
      expect(() => parseConfig('- 1\n- 2\n')).toThrow(/does not hold a mapping/);
      expect(() => parseConfig('')).toThrow(expect.objectContaining({ code: 'E2V_ERR_CONFIG_YAML' }));
    });

    it('should report a bad feature_encoder_spec with its own code', () => {
      expect(() => parseConfig(edited([...AUDIO, 'feature_encoder_spec'], '[(16, 10, 5)] + os.system("x")'))).toThrow(
        expect.objectContaining({ code: 'E2V_ERR_CONFIG_FEATURE_SPEC' }),
      );
    });
  });
});
