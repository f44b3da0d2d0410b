/**
 * The registry of known models (`models/manifest.json` at the repository root):
 * where each model lives on Hugging Face and ModelScope, which files make it,
 * and its labels; the default model, and the folder converted models live in.
 * Loaded and validated here; `e2v model pull`, `e2v model list` and the server read it.
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryError } from '../errors.js';

/** The two hubs a model can be pulled from. */
export type HubSource = 'huggingface' | 'modelscope';

/** One output label, in logits order (`tokens.txt` order). */
export interface RegistryLabel {
  /** English key, e.g. `angry`; `<unk>` is `unknown`. */
  key: string;
  /** Chinese label as written in tokens.txt, e.g. `生气` (`<unk>` for `unknown`). */
  zh: string;
}

/** One file of a model repository that `pull` downloads. */
export interface RegistryFile {
  /** File name in the repository root, e.g. `model.pt` (no folders). */
  name: string;
  /** Approximate size in bytes (display only, before the server says), or null. */
  approxBytes: number | null;
  /**
   * Pinned sha256 (64 lowercase hex), or null to rely on the sha256 the hub
   * publishes at pull time. A pinned value wins over the hub's.
   */
  sha256: string | null;
}

/** One model of the registry. */
export interface RegistryModel {
  /** Name used on the command line and as the folder name, e.g. `emotion2vec_plus_large`. */
  id: string;
  /** One-line human description. */
  description: string;
  /** Hugging Face repository, `owner/name`. */
  huggingface: string;
  /** ModelScope model id, `owner/name`. */
  modelscope: string;
  /** Input sample rate in Hz (16000 for emotion2vec+). */
  sampleRate: number;
  /** Labels in model (logits) order. */
  labels: RegistryLabel[];
  /** Files to download (model.pt, config.yaml, tokens.txt). */
  files: RegistryFile[];
}

/** The parsed `models/manifest.json`. */
export interface Registry {
  /** Format version of the manifest (1). */
  schemaVersion: 1;
  /** Known models, in display order. */
  models: RegistryModel[];
}

/** The model e2v runs when none is named: the registry id, and its folder's name under the models folder. */
export const DEFAULT_MODEL_NAME = 'emotion2vec_plus_large';

/** Absolute path of the repository's `models/manifest.json` (resolved from this module, src or dist). */
export const DEFAULT_REGISTRY_PATH: string = fileURLToPath(new URL('../../../../models/manifest.json', import.meta.url));

/**
 * Folder that holds converted models (`<dir>/<id>/model.json`): `E2V_MODELS_DIR`
 * when set, else the repository's `models/` folder (next to the manifest).
 * @param env environment to read (defaults to `process.env`)
 * @returns an absolute path
 */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['E2V_MODELS_DIR'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.dirname(DEFAULT_REGISTRY_PATH);
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const REPO_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const FILE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SHA256_RE = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(where: string, what: string): RegistryError {
  return new RegistryError('E2V_ERR_PULL_REGISTRY', `Invalid model registry ${where}: ${what}`);
}

function str(obj: Record<string, unknown>, key: string, re: RegExp | null, where: string, at: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '' || (re !== null && !re.test(v))) {
    throw bad(where, `${at}.${key} must be ${re === null ? 'a non-empty string' : `a string matching ${String(re)}`}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function parseFile(raw: unknown, where: string, at: string): RegistryFile {
  if (!isRecord(raw)) throw bad(where, `${at} must be an object`);
  const name = str(raw, 'name', FILE_RE, where, at);
  if (name === '.' || name === '..') throw bad(where, `${at}.name must be a plain file name, got ${JSON.stringify(name)}`);
  const approx = raw['approxBytes'];
  if (approx !== null && approx !== undefined && !(Number.isSafeInteger(approx) && (approx as number) >= 0)) {
    throw bad(where, `${at}.approxBytes must be a non-negative integer or null, got ${JSON.stringify(approx)}`);
  }
  const sha = raw['sha256'];
  if (sha !== null && sha !== undefined && !(typeof sha === 'string' && SHA256_RE.test(sha))) {
    throw bad(where, `${at}.sha256 must be 64 lowercase hex digits or null, got ${JSON.stringify(sha)}`);
  }
  return { name, approxBytes: (approx as number | null | undefined) ?? null, sha256: (sha as string | null | undefined) ?? null };
}

function parseModel(raw: unknown, where: string, at: string): RegistryModel {
  if (!isRecord(raw)) throw bad(where, `${at} must be an object`);
  const id = str(raw, 'id', ID_RE, where, at);
  const description = str(raw, 'description', null, where, at);
  const huggingface = str(raw, 'huggingface', REPO_RE, where, at);
  const modelscope = str(raw, 'modelscope', REPO_RE, where, at);
  const sampleRate = raw['sampleRate'];
  if (!(Number.isSafeInteger(sampleRate) && (sampleRate as number) > 0)) {
    throw bad(where, `${at}.sampleRate must be a positive integer, got ${JSON.stringify(sampleRate)}`);
  }
  const labelsRaw = raw['labels'];
  if (!Array.isArray(labelsRaw) || labelsRaw.length === 0) throw bad(where, `${at}.labels must be a non-empty array`);
  const labels = labelsRaw.map((l, i): RegistryLabel => {
    if (!isRecord(l)) throw bad(where, `${at}.labels[${i}] must be an object`);
    return { key: str(l, 'key', null, where, `${at}.labels[${i}]`), zh: str(l, 'zh', null, where, `${at}.labels[${i}]`) };
  });
  const filesRaw = raw['files'];
  if (!Array.isArray(filesRaw) || filesRaw.length === 0) throw bad(where, `${at}.files must be a non-empty array`);
  const files = filesRaw.map((f, i) => parseFile(f, where, `${at}.files[${i}]`));
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name)) throw bad(where, `${at}.files lists ${f.name} twice`);
    names.add(f.name);
  }
  return { id, description, huggingface, modelscope, sampleRate: sampleRate as number, labels, files };
}

/**
 * Validates a parsed manifest.
 * @param json the parsed JSON
 * @param where where it came from, for messages (a path)
 * @returns the typed registry
 * @throws RegistryError `E2V_ERR_PULL_REGISTRY` naming the first invalid field
 */
export function parseRegistry(json: unknown, where = 'manifest'): Registry {
  if (!isRecord(json)) throw bad(where, 'the top level must be an object');
  if (json['schemaVersion'] !== 1) {
    throw bad(where, `schemaVersion must be 1, got ${JSON.stringify(json['schemaVersion'])}`);
  }
  const modelsRaw = json['models'];
  if (!Array.isArray(modelsRaw)) throw bad(where, 'models must be an array');
  const models = modelsRaw.map((m, i) => parseModel(m, where, `models[${i}]`));
  const ids = new Set<string>();
  for (const m of models) {
    if (ids.has(m.id)) throw bad(where, `model id ${m.id} appears twice`);
    ids.add(m.id);
  }
  return { schemaVersion: 1, models };
}

/**
 * Reads and validates the registry. [sync]
 * @param file path of a manifest.json (defaults to the repository's `models/manifest.json`)
 * @returns the typed registry
 * @throws RegistryError `E2V_ERR_PULL_REGISTRY` when the file is missing, not JSON, or invalid
 */
export function loadRegistry(file: string = DEFAULT_REGISTRY_PATH): Registry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RegistryError('E2V_ERR_PULL_REGISTRY', `Cannot read the model registry ${file}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RegistryError('E2V_ERR_PULL_REGISTRY', `The model registry ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseRegistry(json, file);
}

/**
 * Looks a model up by id.
 * @param name the model id, e.g. `emotion2vec_plus_large`
 * @param registry the registry to search (defaults to {@link loadRegistry}())
 * @returns the registry entry
 * @throws RegistryError `E2V_ERR_PULL_UNKNOWN_MODEL` listing the known ids
 */
export function findModel(name: string, registry: Registry = loadRegistry()): RegistryModel {
  const found = registry.models.find((m) => m.id === name);
  if (found !== undefined) return found;
  const known = registry.models.map((m) => m.id).join(', ');
  throw new RegistryError('E2V_ERR_PULL_UNKNOWN_MODEL', `Unknown model ${JSON.stringify(name)}. Known models: ${known === '' ? '(none)' : known}.`);
}
