/**
 * `model.json`: the manifest of a converted model folder (design.md, "Converted model folder"),
 * written by `@e2v/convert` and read by the engine. It says what the graph expects and returns,
 * so a reader never has to look inside the ONNX file.
 *
 * Input contract: the graph input `waveform` [batch, samples] is 16 kHz mono float32 and, when
 * `normalize` is true (all emotion2vec+ models), ALREADY layer-normed over the whole utterance by
 * the caller: `(x - mean) / sqrt(var + 1e-5)` with the biased variance, per utterance, never
 * across a padded batch. The graph does not normalize (a normalization inside the graph would
 * see a padded batch's zeros). Inputs shorter than `minInputSamples` produce no frame and must
 * be refused before running the graph (ONNX Runtime fails inside the conv stack on them).
 * @module
 */
import { join } from 'node:path';
import { ManifestError } from '../errors.js';

/** File name of the manifest inside a converted model folder. */
export const MANIFEST_FILE = 'model.json';

/** Current `formatVersion` of model.json. */
export const MANIFEST_FORMAT_VERSION = 1;

/** Graph variants a model folder can hold. */
export type ModelVariant = 'fp32' | 'int8';

/** One label in logits order (tokens.txt order). */
export interface ModelLabel {
  /** English key, e.g. `angry` (the Result's `scores` keys); `<unk>` is `unknown`. */
  key: string;
  /**
   * Chinese name: the original WebUI guide's (`愤怒`) for the nine emotion2vec+ keys, tokens.txt's
   * word for others; older model.json files hold tokens.txt's word (`生气`) for all. Empty when
   * there is none.
   */
  zh: string;
  /** The label's line of tokens.txt (`生气/angry`, `<unk>`), or null in model.json files older than this field. */
  token: string | null;
}

/** The files of one variant, relative to the model folder. */
export interface VariantFiles {
  /** The ONNX graph, e.g. `model.onnx`. */
  model: string;
  /** Its external-data (weights) file, e.g. `model.onnx.data`. */
  data: string;
}

/** Labels whose logits the graph sets to -inf (FunASR's `unuse*` masking): softmax gives them 0. */
export interface MaskedLabels {
  /** Their indices in {@link ModelLabel} order. */
  indices: number[];
  /** Their keys. */
  keys: string[];
}

/** model.json as readers use it: the fields a model runs with, which {@link parseManifest} checks and returns. */
export interface ModelManifest {
  /** Model name, e.g. `emotion2vec_plus_large` (the Result's `model.name`). */
  name: string;
  /** Labels in logits order. */
  labels: ModelLabel[];
  /** Sample rate the graph expects: 16000. */
  sampleRate: number;
  /** Frames per second of `frames` (sample rate / total conv stride): 50. */
  frameRate: number;
  /** D, the size of `embedding` and of each frame. */
  embeddingDim: number;
  /** True: the caller layer-norms each waveform before the graph (see the module docs). */
  normalize: boolean;
  /** Epsilon of that layer norm (1e-5, torch `F.layer_norm` default). */
  normalizeEps: number;
  /** Fewest samples that give one frame (the conv stack's receptive field, 400). */
  minInputSamples: number;
  /** The default variant. */
  variant: ModelVariant;
  /** The variants in the folder. */
  variants: Partial<Record<ModelVariant, VariantFiles>>;
  /** Labels the graph masks (`--mask-unused`); absent when nothing is masked. */
  maskedLabels?: MaskedLabels;
  /** True when the source is a random model from `e2v model synth` (not a trained model). */
  random?: boolean;
}

/** A label as the converter writes it: always with its tokens.txt line. */
export interface WrittenLabel extends ModelLabel {
  token: string;
}

/** A variant's files as the converter writes them, with their sizes. */
export interface WrittenVariantFiles extends VariantFiles {
  /** Byte sizes of `model` and `data`. */
  bytes: { model: number; data: number };
}

/** The content of model.json as the converter writes it: the {@link ModelManifest} fields, the graph interface and where the model came from. */
export interface WrittenManifest extends ModelManifest {
  /** Always `e2v-model`. */
  format: 'e2v-model';
  /** {@link MANIFEST_FORMAT_VERSION}. */
  formatVersion: number;
  labels: WrittenLabel[];
  /** Every variant in the folder: `fp32` always, `int8` after `--int8`. */
  variants: Partial<Record<ModelVariant, WrittenVariantFiles>> & { fp32: WrittenVariantFiles };
  /** Graph interface. */
  graph: {
    /** Operator sets used: `{ "": 17, "com.microsoft": 1 }` (the latter: ONNX Runtime contrib ops). */
    opsets: Record<string, number>;
    /** `waveform` [batch, samples]. */
    input: string;
    /** `frames` [batch, frames, D], `embedding` [batch, D], `logits` [batch, labels], `frame_logits` [batch, frames, labels]. */
    outputs: string[];
  };
  /**
   * The checkpoint files converted, with their sha256 (hex) and sizes, and the globals of
   * model.pt's pickle the converter left inert (training state such as `argparse.Namespace`).
   */
  source: { files: string[]; sha256: Record<string, string>; bytes: Record<string, number>; ignoredGlobals?: string[] };
  /** Who wrote the folder, and when (ISO 8601). */
  converter: { name: string; version: string; createdAt: string };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and checks the text of a model.json: the fields of {@link ModelManifest}. Other fields
 * are not read, so newer manifests with extra fields still load.
 * @param text the file's content
 * @param modelDir the folder (for error messages)
 * @returns the fields a reader uses
 * @throws ManifestError `E2V_ERR_MODEL_MANIFEST` naming the first bad field
 */
export function parseManifest(text: string, modelDir: string): ModelManifest {
  const bad = (what: string): ManifestError => new ManifestError(modelDir, `${join(modelDir, MANIFEST_FILE)}: ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ManifestError(modelDir, `${join(modelDir, MANIFEST_FILE)} is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isObject(raw)) throw bad('expected a JSON object');
  if (raw.format !== undefined && raw.format !== 'e2v-model') throw bad(`format is ${JSON.stringify(raw.format)}, expected "e2v-model"`);
  const int = (key: string, min: number): number => {
    const v = raw[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(`${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const positive = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw bad(`${key} must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (typeof raw.name !== 'string' || raw.name === '') throw bad('name must be a non-empty string');
  if (!Array.isArray(raw.labels) || raw.labels.length === 0) throw bad('labels must be a non-empty array');
  const labels = raw.labels.map((l: unknown, i): ModelLabel => {
    if (!isObject(l) || typeof l.key !== 'string' || l.key === '') throw bad(`labels[${i}] must be { key, zh, token }`);
    return { key: l.key, zh: typeof l.zh === 'string' ? l.zh : '', token: typeof l.token === 'string' ? l.token : null };
  });
  if (new Set(labels.map((l) => l.key)).size !== labels.length) throw bad('labels has a duplicate key');
  const sampleRate = int('sampleRate', 1);
  if (sampleRate !== 16000) throw bad(`sampleRate is ${sampleRate}; the engine feeds 16 kHz audio`);
  if (typeof raw.normalize !== 'boolean') throw bad('normalize must be true or false');
  if (!isObject(raw.variants)) throw bad('variants must be an object');
  const variants: Partial<Record<ModelVariant, VariantFiles>> = {};
  for (const v of ['fp32', 'int8'] as const) {
    const files = raw.variants[v];
    if (files === undefined) continue;
    if (!isObject(files) || typeof files.model !== 'string' || typeof files.data !== 'string') throw bad(`variants.${v} must be { model, data }`);
    for (const f of [files.model, files.data]) {
      if (f === '' || f.includes('/') || f.includes('\\') || f === '.' || f === '..')
        throw bad(`variants.${v} names ${JSON.stringify(f)}, expected a file name in the folder`);
    }
    variants[v] = { model: files.model, data: files.data };
  }
  if (Object.keys(variants).length === 0) throw bad('variants lists no fp32 or int8 graph');
  const variant = raw.variant ?? 'fp32';
  if (variant !== 'fp32' && variant !== 'int8') throw bad(`variant is ${JSON.stringify(variant)}`);
  let maskedLabels: MaskedLabels | undefined;
  if (raw.maskedLabels !== undefined) {
    const m = raw.maskedLabels;
    if (!isObject(m) || !Array.isArray(m.indices) || !m.indices.every((i) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < labels.length)) {
      throw bad('maskedLabels.indices must be label indices');
    }
    const indices = m.indices as number[];
    if (indices.length >= labels.length) throw bad('maskedLabels masks every label');
    maskedLabels = { indices, keys: indices.map((i) => labels[i]!.key) };
  }
  if (isObject(raw.graph)) {
    // the contract's names; a folder that says otherwise was written for another engine
    if (raw.graph.input !== undefined && raw.graph.input !== 'waveform') throw bad(`graph.input is ${JSON.stringify(raw.graph.input)}, expected "waveform"`);
  }
  return {
    name: raw.name,
    labels,
    sampleRate,
    frameRate: positive('frameRate'),
    embeddingDim: int('embeddingDim', 1),
    normalize: raw.normalize,
    normalizeEps: positive('normalizeEps', 1e-5),
    minInputSamples: int('minInputSamples', 1),
    variant,
    variants,
    ...(maskedLabels === undefined ? {} : { maskedLabels }),
    random: raw.random === true,
  };
}
