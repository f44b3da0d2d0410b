/**
 * Training data for the classifiers: a folder `DIR/<label>/*.npy`, or a CSV of `label,path`
 * rows (.npy files, relative to the CSV's folder) or `label,f0,f1,...` rows. An optional
 * header row whose first field is `label` is skipped. Each .npy holds an e2v embedding, shape
 * `(D,)`, or `(T', D)` frame features, which are averaged over frames.
 * @module
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { readNpy } from '@e2v/npy';
import { parseCsv } from '@e2v/core';
import { ClassifierError } from '../../errors.js';

/** Labelled vectors: `labels[i]` is the label of `vectors[i]`. */
export interface TrainingSet {
  labels: string[];
  vectors: number[][];
}

/** An embedding as e2v produces it: flat data in C order and its shape. */
export interface EmbeddingLike {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/**
 * The vector of an embedding: itself for shape `(D,)`, the mean over frames for `(T', D)`.
 * @param embedding data and shape
 * @returns a D-vector
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_DATA` for another rank, a size that does not
 *   match the shape, zero frames, or a non-finite value
 */
export function embeddingVector(embedding: EmbeddingLike): number[] {
  const { data, shape } = embedding;
  const size = shape.reduce((a, b) => a * b, 1);
  if ((shape.length !== 1 && shape.length !== 2) || size !== data.length || size === 0) {
    throw new ClassifierError(
      'E2V_ERR_CLASSIFIER_DATA',
      `Expected an embedding of shape (D,) or (T', D) but received shape (${shape.join(', ')}) with ${data.length} values`,
    );
  }
  const dim = shape.at(-1)!;
  const frames = size / dim;
  const vector = new Array<number>(dim).fill(0);
  for (let i = 0; i < size; i++) vector[i % dim]! += data[i]! / frames;
  if (!vector.every(Number.isFinite)) throw new ClassifierError('E2V_ERR_CLASSIFIER_DATA', 'The embedding holds non-finite values');
  return vector;
}

/**
 * Loads training data.
 * @param path a folder of `<label>/*.npy`, or a .csv file
 * @returns the labelled vectors, folder entries in sorted order, CSV rows in file order
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_DATA` naming the file or row at fault
 */
export async function loadTrainingData(path: string): Promise<TrainingSet> {
  const stats = await stat(path).catch((cause: unknown) => {
    throw new ClassifierError('E2V_ERR_CLASSIFIER_DATA', `Training data ${path} cannot be read`, { cause });
  });
  return stats.isDirectory() ? loadFolder(path) : loadCsv(path);
}

/** `DIR/<label>/*.npy`. */
async function loadFolder(dir: string): Promise<TrainingSet> {
  const set: TrainingSet = { labels: [], vectors: [] };
  const labels = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const label of labels) {
    const files = (await readdir(join(dir, label))).filter((f) => extname(f).toLowerCase() === '.npy').sort();
    for (const file of files) {
      set.labels.push(label);
      set.vectors.push(await readNpyVector(join(dir, label, file)));
    }
  }
  return set;
}

/** `label,path` or `label,f0,f1,...` rows. */
async function loadCsv(path: string): Promise<TrainingSet> {
  let rows: string[][];
  try {
    rows = parseCsv(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new ClassifierError(
      'E2V_ERR_CLASSIFIER_DATA',
      `Training data ${path} cannot be read as CSV: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  if (rows[0]?.[0]?.trim().toLowerCase() === 'label') rows = rows.slice(1);
  const set: TrainingSet = { labels: [], vectors: [] };
  for (const [i, row] of rows.entries()) {
    const [label = '', ...rest] = row.map((f) => f.trim());
    const where = `${path} data row ${i + 1}`;
    if (label === '' || rest.length === 0) throw new ClassifierError('E2V_ERR_CLASSIFIER_DATA', `${where}: expected label,path or label,f0,f1,...`);
    set.labels.push(label);
    if (rest.length === 1 && extname(rest[0]!).toLowerCase() === '.npy') {
      set.vectors.push(await readNpyVector(resolve(dirname(path), rest[0]!)));
    } else {
      const vector = rest.map(Number);
      if (!vector.every(Number.isFinite) || rest.some((f) => f === ''))
        throw new ClassifierError('E2V_ERR_CLASSIFIER_DATA', `${where}: a feature is not a finite number`);
      set.vectors.push(vector);
    }
  }
  return set;
}

/** The vector of one .npy embedding file. */
async function readNpyVector(file: string): Promise<number[]> {
  try {
    return embeddingVector(readNpy(await readFile(file)));
  } catch (cause) {
    throw new ClassifierError('E2V_ERR_CLASSIFIER_DATA', `${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
