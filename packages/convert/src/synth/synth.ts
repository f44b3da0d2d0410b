/**
 * `e2v model synth`: a random emotion2vec+ model in the release's file
 * layout (model.pt, config.yaml, tokens.txt), seeded, for benchmarks and
 * tests where the real weights are not available.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { saveCheckpoint, type SavedTensor } from '../checkpoint/save.js';
import type { PlainValue } from '../checkpoint/pickle-writer.js';
import { parseConfig } from '../config/config.js';
import { modelTensorSpecs, type TensorRole, type TensorSpec } from '../config/tensor-specs.js';
import { CheckpointError, ConfigError } from '../errors.js';
import { SeededRandom } from './random.js';
import { fairseqTrainingState, type TrainedParameter } from './training-state.js';

/** The official emotion2vec+ label list (tokens.txt since June 2024), written without a trailing newline like the release. */
export const OFFICIAL_TOKENS = [
  '生气/angry',
  '厌恶/disgusted',
  '恐惧/fearful',
  '开心/happy',
  '中立/neutral',
  '其他/other',
  '难过/sad',
  '吃惊/surprised',
  '<unk>',
] as const;

/** Name of the marker file that tells the converter the model is random. */
export const SYNTH_MARKER = 'e2v-synth.json';

/** Options of {@link synthCheckpoint}. */
export interface SynthOptions {
  /** Path of the config.yaml to build the model for. */
  config: string;
  /** Output folder (created if needed). */
  out: string;
  /** Unsigned 32-bit seed; default 0. */
  seed?: number;
  /**
   * Also write what a fairseq training checkpoint holds besides the weights (training-state.ts):
   * `args` namespace, omegaconf cfg, numpy meters, Adam moments for every parameter (the file is
   * then about three times the weights, like the released model.pt). Default false.
   */
  training?: boolean;
}

/** What {@link synthCheckpoint} wrote. */
export interface SynthReport {
  /** Output folder. */
  out: string;
  /** `<out>/model.pt`. */
  modelPath: string;
  /** Size of model.pt in bytes. */
  modelBytes: number;
  /** Tensors written. */
  tensors: number;
  /** Parameters (elements) written. */
  parameters: number;
  /** Seed used. */
  seed: number;
  /** sha256 (hex) of the config.yaml copied to `out`. */
  configSha256: string;
}

/** The content of `e2v-synth.json`. */
export interface SynthMarker {
  /** Always true: the weights are random. */
  random: true;
  /** Seed used. */
  seed: number;
  /** sha256 (hex) of config.yaml. */
  config: string;
}

/**
 * How a random model initializes each kind of tensor: small weights and
 * biases, LayerNorm gains near 1, unit-variance extra tokens, ALiBi scales
 * in the range the golden checkpoints use — so the forward pass stays finite.
 */
const INIT: Readonly<Record<TensorRole, (random: SeededRandom, out: Float32Array) => Float32Array>> = {
  weight: (r, out) => r.fillNormal(out, 0, 0.02),
  bias: (r, out) => r.fillNormal(out, 0, 0.01),
  'norm-weight': (r, out) => r.fillUniform(out, 0.9, 1.1),
  'norm-bias': (r, out) => r.fillNormal(out, 0, 0.02),
  'extra-tokens': (r, out) => r.fillNormal(out, 0, 1),
  'alibi-scale': (r, out) => r.fillUniform(out, 0.3, 1.8),
};

/** Checkpoint key of a model tensor: `d2v_model.` + name, except the unprefixed `proj` head. */
function checkpointKey(spec: TensorSpec): string {
  return spec.name.startsWith('proj.') ? spec.name : `d2v_model.${spec.name}`;
}

/** A random Adam moment of a parameter (small values; exp_avg_sq non-negative). */
function moment(parameter: TrainedParameter, which: 'exp_avg' | 'exp_avg_sq', seed: number, all: readonly TrainedParameter[]): Uint8Array {
  const values = new Float32Array(parameter.shape.reduce((a, b) => a * b, 1));
  const random = new SeededRandom(seed, 1_000_000 + 2 * all.indexOf(parameter) + (which === 'exp_avg' ? 0 : 1));
  if (which === 'exp_avg') random.fillNormal(values, 0, 1e-4);
  else random.fillUniform(values, 0, 1e-7);
  return new Uint8Array(values.buffer);
}

/** Runs a file-system write, turning its failure into E2V_ERR_CHECKPOINT_WRITE. */
async function writeOutput(path: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (cause) {
    throw new CheckpointError('E2V_ERR_CHECKPOINT_WRITE', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Converts parsed YAML into pickle-able plain data (dropping what has no plain form). */
function toPlain(value: unknown): PlainValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return null;
}

/**
 * Writes a seeded random model into `out`: `model.pt` (torch.save zip archive
 * with the release's pickle globals and fairseq layout: `"model"` holds
 * `d2v_model.*` + `proj.*` with the shapes the config predicts), a copy of
 * `config.yaml`, the official 9-label `tokens.txt`, and `e2v-synth.json`
 * (`{ "random": true, "seed", "config": sha256 }`). Weights are generated
 * and written one tensor at a time; model.pt appears atomically.
 * @param options config path, output folder, seed
 * @returns what was written
 * @throws ConfigError when the config cannot be read or is unsupported
 * @throws CheckpointError E2V_ERR_CHECKPOINT_WRITE when writing fails
 * @throws RangeError for a seed that is not an unsigned 32-bit integer
 * @example
 * await synthCheckpoint({ config: 'full-size-config.yaml', out: '/tmp/e2v-large', seed: 1 });
 */
export async function synthCheckpoint(options: SynthOptions): Promise<SynthReport> {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Expected an unsigned 32-bit integer for seed but received ${seed}`);
  }
  let configBytes: Buffer;
  try {
    configBytes = await readFile(options.config);
  } catch (cause) {
    throw new ConfigError('E2V_ERR_CONFIG_READ', `cannot read ${options.config}: ${(cause as Error).message}`, { cause });
  }
  const configText = configBytes.toString('utf8');
  const config = parseConfig(configText);
  const specs = modelTensorSpecs(config, OFFICIAL_TOKENS.length);
  const tensors: SavedTensor[] = specs.map((spec, index) => ({
    name: checkpointKey(spec),
    shape: spec.shape,
    data: () => {
      const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
      INIT[spec.role](new SeededRandom(seed, index), values);
      return new Uint8Array(values.buffer);
    },
  }));
  const training = options.training === true ? fairseqTrainingState(tensors, (parameter, which) => moment(parameter, which, seed, tensors)) : undefined;
  const modelConf = (parseYaml(configText) as { model_conf?: unknown }).model_conf;
  const configSha256 = createHash('sha256').update(configBytes).digest('hex');
  const marker: SynthMarker = { random: true, seed, config: configSha256 };
  const modelPath = join(options.out, 'model.pt');
  await writeOutput(options.out, () => mkdir(options.out, { recursive: true }));
  await saveCheckpoint(modelPath, [...tensors, ...(training?.tensors ?? [])], {
    layout: 'fairseq',
    cfg: { model: toPlain(modelConf) },
    ...(training === undefined ? {} : { extra: training.extra }),
  });
  const files: [string, string | Buffer][] = [
    ['config.yaml', configBytes],
    ['tokens.txt', OFFICIAL_TOKENS.join('\n')],
    [SYNTH_MARKER, `${JSON.stringify(marker, null, 2)}\n`],
  ];
  for (const [name, content] of files) {
    const path = join(options.out, name);
    await writeOutput(path, () => writeFile(path, content));
  }
  return {
    out: options.out,
    modelPath,
    modelBytes: (await stat(modelPath)).size,
    tensors: specs.length,
    parameters: specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0),
    seed,
    configSha256,
  };
}
