/**
 * `convertCheckpoint`: an emotion2vec+ checkpoint folder (`model.pt`,
 * `config.yaml`, `tokens.txt`) to a converted model folder (`model.onnx` +
 * `model.onnx.data`, optionally `model.int8.onnx` + `model.int8.onnx.data`,
 * and `model.json`). Weights stream from the checkpoint into the data files
 * one tensor at a time; the folder is assembled under a temporary name next
 * to `out` and renamed into place, so it is either complete or absent.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { access, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MANIFEST_FILE, MANIFEST_FORMAT_VERSION, type ModelVariant, type WrittenLabel, type WrittenManifest, type WrittenVariantFiles } from '@e2v/core';
import { openCheckpoint } from './checkpoint/open.js';
import type { CheckpointReader } from './checkpoint/types.js';
import { parseConfig } from './config/config.js';
import { manifestLabel } from './config/label-names.js';
import { maskedLabelIndices, parseTokens } from './config/tokens.js';
import type { Emotion2vecConfig } from './config/types.js';
import { expectedTensorShapes, validateTensors } from './config/validate-tensors.js';
import { ConvertError } from './errors.js';
import { SYNTH_MARKER } from './synth/synth.js';
import { EMOTION2VEC_IR_VERSION, EMOTION2VEC_OPSET, buildEmotion2vecGraph, minInputSamples } from './onnx/emotion2vec-graph.js';
import { EMOTION2VEC_OUTPUTS } from './onnx/emotion2vec-head.js';
import { writeModel } from './onnx/write-model.js';

/** The three files a checkpoint folder must hold. */
export const SOURCE_FILES = ['model.pt', 'config.yaml', 'tokens.txt'] as const;

/** This package's package.json: the converter model.json and the ONNX producer fields name. */
const CONVERTER_PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
const CONVERTER_NAME = CONVERTER_PACKAGE.name;
const CONVERTER_VERSION = CONVERTER_PACKAGE.version;

/** Sample rate every emotion2vec+ model runs at. */
const SAMPLE_RATE = 16000;
/** eps of the whole-utterance layer norm (torch `F.layer_norm` default). */
const NORMALIZE_EPS = 1e-5;

/** File names of each variant inside the model folder. */
const VARIANT_FILES: Readonly<Record<ModelVariant, { model: string; data: string }>> = {
  fp32: { model: 'model.onnx', data: 'model.onnx.data' },
  int8: { model: 'model.int8.onnx', data: 'model.int8.onnx.data' },
};

/** Conversion stages reported through `onProgress`, in order. */
export type ConvertStage = 'read' | 'hash' | 'fp32' | 'int8' | 'finish';

/** One progress report: `done` of `total` units of `stage` (bytes for `hash`, weights for `fp32`/`int8`). */
export interface ConvertProgress {
  stage: ConvertStage;
  done: number;
  total: number;
}

/** Options of {@link convertCheckpoint}. */
export interface ConvertOptions {
  /** Folder holding model.pt, config.yaml and tokens.txt. */
  from: string;
  /** Model folder to create (its parent is created if needed). */
  out: string;
  /** Also write the dynamically quantized int8 variant (default false). */
  int8?: boolean;
  /**
   * Apply FunASR's `unuse*` label masking in the graph: those labels' logits
   * become -inf, so their softmax score is 0 (default false; a no-op for the
   * current official tokens.txt, which has no `unuse*` labels).
   */
  maskUnusedLabels?: boolean;
  /** Model name for model.json (default: the `from` folder's name). */
  name?: string;
  /** Replace `out` when it already exists and is not empty (default false). */
  overwrite?: boolean;
  onProgress?: (progress: ConvertProgress) => void;
}

/** What {@link convertCheckpoint} wrote. */
export interface ConvertReport {
  /** The model folder. */
  out: string;
  /** The manifest written to `<out>/model.json`. */
  manifest: WrittenManifest;
  /** Every file in the folder with its size in bytes. */
  files: { name: string; bytes: number }[];
  /** Wall time of the conversion. */
  elapsedMs: number;
  /**
   * The checkpoint: its size, the bytes the tensor reader read from it (zip directory, pickle,
   * the weights once per variant written; the sha256 of `source` is a separate sequential pass),
   * and the globals of its pickle left inert (training state; never imported or run).
   */
  checkpoint: { bytes: number; bytesRead: number; ignoredGlobals: string[] };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function sha256File(path: string, onBytes: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    onBytes(chunk.length);
  }
  return hash.digest('hex');
}

async function readSource(from: string): Promise<{ config: Emotion2vecConfig; labels: WrittenLabel[]; random: boolean }> {
  const missing: string[] = [];
  for (const f of SOURCE_FILES) if (!(await exists(join(from, f)))) missing.push(f);
  if (missing.length > 0) {
    throw new ConvertError(
      'E2V_ERR_CONVERT_SOURCE_MISSING',
      `${from} lacks ${missing.join(', ')}; a checkpoint folder holds ${SOURCE_FILES.join(', ')} (as downloaded from the hub)`,
    );
  }
  const config = parseConfig(await readFile(join(from, 'config.yaml'), 'utf8'));
  const labels = parseTokens(await readFile(join(from, 'tokens.txt'), 'utf8'));
  // e2v-synth.json marks a random model; an unreadable marker still counts (never pass a random model off as trained)
  let random = false;
  if (await exists(join(from, SYNTH_MARKER))) {
    try {
      random = (JSON.parse(await readFile(join(from, SYNTH_MARKER), 'utf8')) as { random?: unknown }).random !== false;
    } catch {
      random = true;
    }
  }
  return { config, labels, random };
}

/** Creates a fresh temporary folder next to `out` (same file system, so the final rename is atomic). */
async function makeStagingDir(out: string): Promise<string> {
  const parent = dirname(out);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(out)}.converting-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  return staging;
}

/** Refuses an existing `out` that is not an empty folder, unless `overwrite`. */
async function checkOut(out: string, overwrite: boolean): Promise<boolean> {
  if (!(await exists(out))) return false;
  const empty = (await stat(out)).isDirectory() && (await readdir(out)).length === 0;
  if (!empty && !overwrite) {
    throw new ConvertError(
      'E2V_ERR_CONVERT_OUT_EXISTS',
      `${out} already exists and is not empty; remove it or convert with overwrite (e2v model convert --force)`,
    );
  }
  return true;
}

/** Moves the finished staging folder to `out`, replacing an empty (or, with `overwrite`, any) existing folder. */
async function publish(staging: string, out: string, overwrite: boolean): Promise<void> {
  let old: string | undefined;
  if (await checkOut(out, overwrite)) {
    old = `${staging}.old`;
    await rename(out, old);
  }
  try {
    await rename(staging, out);
  } catch (cause) {
    if (old !== undefined) await rename(old, out).catch(() => undefined);
    throw cause;
  }
  if (old !== undefined) await rm(old, { recursive: true, force: true });
}

/**
 * Converts an emotion2vec+ checkpoint folder to a model folder the engine loads. [async]
 * @param options source and output folders, variants, label masking, progress callback
 * @returns the manifest and the files written
 * @throws ConvertError E2V_ERR_CONVERT_SOURCE_MISSING (a source file is absent),
 *   E2V_ERR_CONVERT_OUT_EXISTS (`out` is not empty and `overwrite` is false),
 *   E2V_ERR_CONVERT_UNSUPPORTED (a configuration the graph cannot express),
 *   E2V_ERR_CONVERT_WEIGHT (a tensor read back with the wrong size),
 *   E2V_ERR_CONVERT_IO (a file system error reading the source or writing the folder)
 * @throws ConfigError for an invalid or unsupported config.yaml / tokens.txt, or tensors that do not match it
 * @throws CheckpointError when model.pt cannot be read
 * @example
 * const report = await convertCheckpoint({ from: 'downloads/emotion2vec_plus_large', out: 'models/emotion2vec_plus_large', int8: true });
 */
export async function convertCheckpoint(options: ConvertOptions): Promise<ConvertReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  progress({ stage: 'read', done: 0, total: 1 });
  let reader: CheckpointReader | undefined;
  let staging: string | undefined;
  try {
    await checkOut(options.out, options.overwrite === true);
    const { config, labels, random } = await readSource(options.from);
    reader = await openCheckpoint(join(options.from, 'model.pt'));
    reader.requireTensors(expectedTensorShapes(config, labels.length).keys());
    validateTensors(config, labels.length, reader.tensors);
    progress({ stage: 'read', done: 1, total: 1 });

    const sizes: Record<string, number> = {};
    for (const f of SOURCE_FILES) sizes[f] = (await stat(join(options.from, f))).size;
    const totalBytes = Object.values(sizes).reduce((a, b) => a + b, 0);
    let hashed = 0;
    const sha256: Record<string, string> = {};
    for (const f of SOURCE_FILES) {
      sha256[f] = await sha256File(join(options.from, f), (n) => {
        hashed += n;
        progress({ stage: 'hash', done: hashed, total: totalBytes });
      });
    }

    const name = options.name ?? basename(options.from);
    const masked = options.maskUnusedLabels === true ? maskedLabelIndices(labels) : [];
    staging = await makeStagingDir(options.out);
    const variants: ModelVariant[] = options.int8 === true ? ['fp32', 'int8'] : ['fp32'];
    const written: Partial<Record<ModelVariant, WrittenVariantFiles>> = {};
    const opsets: Record<string, number> = { '': EMOTION2VEC_OPSET };
    for (const variant of variants) {
      const files = VARIANT_FILES[variant];
      const graph = buildEmotion2vecGraph({
        config,
        numLabels: labels.length,
        weights: reader,
        variant,
        maskedLabelIndices: masked,
        name: `${name}-${variant}`,
      });
      const result = await writeModel(graph, {
        modelPath: join(staging, files.model),
        dataFileName: files.data,
        irVersion: EMOTION2VEC_IR_VERSION,
        opsetVersion: EMOTION2VEC_OPSET,
        producerName: CONVERTER_NAME,
        producerVersion: CONVERTER_VERSION,
        docString: `${name} (${variant}) converted by e2v; input waveform must be layer-normed per utterance (see model.json)`,
        metadata: {
          'e2v.name': name,
          'e2v.variant': variant,
          'e2v.normalize': String(config.normalize),
          'e2v.min_input_samples': String(minInputSamples(config)),
          'e2v.labels': labels.map((l) => l.key).join(','),
        },
        onWeight: (done, total) => progress({ stage: variant, done, total }),
      });
      written[variant] = { ...files, bytes: { model: result.modelBytes, data: result.dataBytes } };
      for (const domain of graph.domains) opsets[domain] = 1;
    }
    progress({ stage: 'finish', done: 0, total: 1 });

    const totalStride = config.audio.featureEncoderSpec.reduce((p, [, , stride]) => p * stride, 1);
    const fp32 = written.fp32!; // always the first variant written
    const manifest: WrittenManifest = {
      format: 'e2v-model',
      formatVersion: MANIFEST_FORMAT_VERSION,
      name,
      labels: labels.map(manifestLabel),
      sampleRate: SAMPLE_RATE,
      frameRate: SAMPLE_RATE / totalStride,
      embeddingDim: config.embedDim,
      normalize: config.normalize,
      normalizeEps: NORMALIZE_EPS,
      minInputSamples: minInputSamples(config),
      variant: 'fp32',
      variants: { ...written, fp32 },
      graph: { opsets, input: 'waveform', outputs: [...EMOTION2VEC_OUTPUTS] },
      ...(masked.length > 0 ? { maskedLabels: { indices: masked, keys: masked.map((i) => labels[i]?.key ?? '') } } : {}),
      source: { files: [...SOURCE_FILES], sha256, bytes: sizes, ignoredGlobals: [...reader.ignoredGlobals] },
      ...(random ? { random: true } : {}),
      converter: { name: CONVERTER_NAME, version: CONVERTER_VERSION, createdAt: new Date().toISOString() },
    };
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

    const files: { name: string; bytes: number }[] = [];
    for (const v of Object.values(written)) files.push({ name: v.model, bytes: v.bytes.model }, { name: v.data, bytes: v.bytes.data });
    files.push({ name: MANIFEST_FILE, bytes: (await stat(join(staging, MANIFEST_FILE))).size });
    await publish(staging, options.out, options.overwrite === true);
    staging = undefined;
    progress({ stage: 'finish', done: 1, total: 1 });
    return {
      out: options.out,
      manifest,
      files,
      elapsedMs: Date.now() - started,
      checkpoint: { bytes: sizes['model.pt']!, bytesRead: reader.bytesRead, ignoredGlobals: [...reader.ignoredGlobals] },
    };
  } catch (error) {
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && !error.code.startsWith('E2V_')) {
      throw new ConvertError('E2V_ERR_CONVERT_IO', `converting to ${options.out} failed: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    await reader?.close();
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
  }
}
