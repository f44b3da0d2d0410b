/**
 * Reads an emotion2vec+ `config.yaml` (FunASR release schema) into an
 * {@link Emotion2vecConfig}, rejecting settings the converter does not
 * implement. Unknown keys and sections are ignored.
 * @module
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { parseFeatureEncoderSpec } from './feature-spec.js';
import type { Emotion2vecConfig } from './types.js';

const AUDIO = ['model_conf', 'modalities', 'audio'] as const;

/**
 * Settings that must have exactly this value (the architecture of the
 * emotion2vec+ release, which is the only one the converter builds).
 */
const SUPPORTED_SETTINGS: readonly { path: readonly string[]; value: boolean | string }[] = [
  { path: ['model_conf', 'layer_norm_first'], value: false },
  { path: ['model_conf', 'norm_affine'], value: true },
  { path: [...AUDIO, 'extractor_mode'], value: 'layer_norm' },
  { path: [...AUDIO, 'conv_pos_pre_ln'], value: false },
  { path: [...AUDIO, 'use_alibi_encoder'], value: true },
  { path: [...AUDIO, 'learned_alibi_scale'], value: true },
  { path: [...AUDIO, 'learned_alibi_scale_per_head'], value: true },
  { path: [...AUDIO, 'learned_alibi_scale_per_layer'], value: false },
];

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}

/** Reads `path` from the parsed YAML; throws E2V_ERR_CONFIG_MISSING_KEY when absent. */
function lookup(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, path[i]!)) {
      throw new ConfigError('E2V_ERR_CONFIG_MISSING_KEY', `config.yaml has no ${path.slice(0, i + 1).join('.')}`);
    }
    node = (node as Record<string, unknown>)[path[i]!];
  }
  return node;
}

function invalid(path: readonly string[], expected: string, value: unknown): ConfigError {
  return new ConfigError('E2V_ERR_CONFIG_INVALID_VALUE', `config.yaml ${path.join('.')} must be ${expected}, got ${show(value)}`);
}

function integer(root: unknown, path: readonly string[], min: number): number {
  const value = lookup(root, path);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(path, min === 0 ? 'a non-negative integer' : 'a positive integer', value);
  }
  return value;
}

function positiveNumber(root: unknown, path: readonly string[]): number {
  const value = lookup(root, path);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(path, 'a positive number', value);
  return value;
}

function boolean(root: unknown, path: readonly string[]): boolean {
  const value = lookup(root, path);
  if (typeof value !== 'boolean') throw invalid(path, 'true or false', value);
  return value;
}

function text(root: unknown, path: readonly string[]): string {
  const value = lookup(root, path);
  if (typeof value !== 'string') throw invalid(path, 'a string', value);
  return value;
}

function unsupported(path: readonly string[], value: unknown, detail: string): ConfigError {
  return new ConfigError('E2V_ERR_CONFIG_UNSUPPORTED', `config.yaml ${path.join('.')}: ${show(value)} is not supported (${detail})`);
}

/**
 * Parses and checks `config.yaml`.
 * @param yamlText the file's text
 * @returns the values the converter needs
 * @throws ConfigError E2V_ERR_CONFIG_YAML (not YAML / not a mapping), E2V_ERR_CONFIG_MISSING_KEY,
 *   E2V_ERR_CONFIG_INVALID_VALUE (wrong type or range), E2V_ERR_CONFIG_FEATURE_SPEC,
 *   E2V_ERR_CONFIG_UNSUPPORTED (a setting the converter does not implement, naming key and value)
 * @example
 * const config = parseConfig(await readFile('config.yaml', 'utf8'));
 * config.embedDim; // 1024 for emotion2vec_plus_large
 */
export function parseConfig(yamlText: string): Emotion2vecConfig {
  let root: unknown;
  try {
    root = parseYaml(yamlText);
  } catch (cause) {
    throw new ConfigError('E2V_ERR_CONFIG_YAML', `config.yaml is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new ConfigError('E2V_ERR_CONFIG_YAML', 'config.yaml does not hold a mapping at the top level');
  }
  for (const { path, value: supported } of SUPPORTED_SETTINGS) {
    const value = lookup(root, path);
    if (value !== supported) throw unsupported(path, value, `only ${show(supported)} is`);
  }
  const embedDim = integer(root, ['model_conf', 'embed_dim'], 1);
  const numHeads = integer(root, ['model_conf', 'num_heads'], 1);
  const mlpRatio = positiveNumber(root, ['model_conf', 'mlp_ratio']);
  const numAlibiHeads = integer(root, [...AUDIO, 'num_alibi_heads'], 1);
  const convPosGroups = integer(root, [...AUDIO, 'conv_pos_groups'], 1);
  if (embedDim % numHeads !== 0) throw invalid(['model_conf', 'embed_dim'], `a multiple of num_heads (${numHeads})`, embedDim);
  if (embedDim % convPosGroups !== 0) {
    throw invalid(['model_conf', 'embed_dim'], `a multiple of conv_pos_groups (${convPosGroups})`, embedDim);
  }
  if (Math.trunc(embedDim * mlpRatio) < 1) throw invalid(['model_conf', 'mlp_ratio'], 'large enough for an MLP of at least 1 unit', mlpRatio);
  const prenetDepth = integer(root, [...AUDIO, 'prenet_depth'], 0);
  if (prenetDepth === 0) throw unsupported([...AUDIO, 'prenet_depth'], 0, 'the converter needs a context encoder with its own norm');
  const numExtraTokens = integer(root, [...AUDIO, 'num_extra_tokens'], 0);
  if (numExtraTokens === 0) throw unsupported([...AUDIO, 'num_extra_tokens'], 0, 'the converter needs learned extra tokens');
  if (numAlibiHeads !== numHeads) {
    throw unsupported([...AUDIO, 'num_alibi_heads'], numAlibiHeads, `it must equal model_conf.num_heads (${numHeads})`);
  }
  return {
    embedDim,
    depth: integer(root, ['model_conf', 'depth'], 1),
    numHeads,
    mlpRatio,
    normEps: positiveNumber(root, ['model_conf', 'norm_eps']),
    normalize: boolean(root, ['model_conf', 'normalize']),
    audio: {
      featureEncoderSpec: parseFeatureEncoderSpec(text(root, [...AUDIO, 'feature_encoder_spec'])),
      convPosWidth: integer(root, [...AUDIO, 'conv_pos_width'], 1),
      convPosDepth: integer(root, [...AUDIO, 'conv_pos_depth'], 1),
      convPosGroups,
      prenetDepth,
      numExtraTokens,
      numAlibiHeads,
    },
  };
}
