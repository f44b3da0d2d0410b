/**
 * Reading `model.json`, the manifest of a converted model folder (design.md, "Converted model
 * folder"; written by `@e2v/convert`). Only the fields the engine needs are checked, so newer
 * manifests with extra fields still load.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoadError } from '../errors.js';

/** File name of the manifest inside a model folder. */
export const MANIFEST_FILE = 'model.json';

/** Graph variants a model folder can hold. */
export type ModelVariant = 'fp32' | 'int8';

/** One label in logits order. */
export interface ModelLabel {
  /** English key, e.g. `angry` (the Result's `scores` keys). */
  key: string;
  /**
   * model.json's Chinese name: the guide's name (`愤怒`) for the nine emotion2vec+ keys, tokens.txt's
   * word for others; older model.json files hold tokens.txt's word (`生气`) for all. Empty when
   * there is none. Shown through `labelZh`.
   */
  zh: string;
  /** The label's line of tokens.txt (`生气/angry`, `<unk>`), or null in model.json files older than this field. */
  token: string | null;
}

/** The files of one variant, relative to the model folder. */
export interface VariantFiles {
  /** The ONNX graph. */
  model: string;
  /** Its external-data file. */
  data: string;
}

/** What the engine uses from model.json. */
export interface ModelManifest {
  /** Model name (the Result's `model.name`). */
  name: string;
  /** Labels in logits order. */
  labels: ModelLabel[];
  /** Sample rate of the graph input (16000). */
  sampleRate: number;
  /** Frames per second of the `frames` output (50). */
  frameRate: number;
  /** D: size of `embedding` and of each frame. */
  embeddingDim: number;
  /** True: the engine layer-norms each utterance before the graph. */
  normalize: boolean;
  /** eps of that layer norm. */
  normalizeEps: number;
  /** Fewest samples that give one frame. */
  minInputSamples: number;
  /** The folder's default variant. */
  variant: ModelVariant;
  /** The variants present. */
  variants: Partial<Record<ModelVariant, VariantFiles>>;
  /** Label indices the graph masks to -inf (FunASR `unuse*` masking); empty when none. */
  maskedLabelIndices: number[];
  /** True for a random (synthetic) model. */
  random: boolean;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and checks the text of a model.json.
 * @param text the file's content
 * @param modelDir the folder (for error messages)
 * @returns the fields the engine uses
 * @throws ModelLoadError `E2V_ERR_MODEL_MANIFEST` naming the first bad field
 */
export function parseManifest(text: string, modelDir: string): ModelManifest {
  const bad = (what: string): ModelLoadError =>
    new ModelLoadError('E2V_ERR_MODEL_MANIFEST', modelDir, `${join(modelDir, MANIFEST_FILE)}: ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ModelLoadError('E2V_ERR_MODEL_MANIFEST', modelDir, `${join(modelDir, MANIFEST_FILE)} is not JSON: ${(cause as Error).message}`, { cause });
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
      if (f === '' || f.includes('/') || f.includes('\\') || f === '.' || f === '..') throw bad(`variants.${v} names ${JSON.stringify(f)}, expected a file name in the folder`);
    }
    variants[v] = { model: files.model, data: files.data };
  }
  if (Object.keys(variants).length === 0) throw bad('variants lists no fp32 or int8 graph');
  const variant = raw.variant ?? 'fp32';
  if (variant !== 'fp32' && variant !== 'int8') throw bad(`variant is ${JSON.stringify(variant)}`);
  let maskedLabelIndices: number[] = [];
  if (raw.maskedLabels !== undefined) {
    const m = raw.maskedLabels;
    if (!isObject(m) || !Array.isArray(m.indices) || !m.indices.every((i) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < labels.length)) {
      throw bad('maskedLabels.indices must be label indices');
    }
    maskedLabelIndices = m.indices as number[];
    if (maskedLabelIndices.length >= labels.length) throw bad('maskedLabels masks every label');
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
    maskedLabelIndices,
    random: raw.random === true,
  };
}

/**
 * Reads `<modelDir>/model.json`.
 * @throws ModelLoadError `E2V_ERR_MODEL_NOT_FOUND` when the folder or file is missing, `E2V_ERR_MODEL_MANIFEST` when it is invalid
 */
export async function readManifest(modelDir: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(join(modelDir, MANIFEST_FILE), 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ModelLoadError(
      'E2V_ERR_MODEL_NOT_FOUND',
      modelDir,
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `${modelDir} is not a model folder: ${MANIFEST_FILE} is missing (convert a checkpoint with \`e2v model convert\`)`
        : `cannot read ${join(modelDir, MANIFEST_FILE)}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return parseManifest(text, modelDir);
}
