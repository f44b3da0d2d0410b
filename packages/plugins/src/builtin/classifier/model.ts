/**
 * Classifier models: fitting (standardisation, then logistic regression or k-NN), prediction,
 * and the versioned JSON file format.
 *
 * File format (version 1): `{ "format": "e2v-classifier", "version": 1, "type": "logreg" | "knn",
 * "labels": [...], "dim": D, "standardizer": { "mean": [D], "scale": [D] }, ... }` plus, for
 * `logreg`, `"l2"`, `"weights"` (one row of D per label) and `"bias"` (one per label); for `knn`,
 * `"k"`, `"points"` (standardized training vectors) and `"targets"` (label index per point).
 * @module
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkPoints, writeFileAtomic, type Vector } from '@e2v/core';
import { ClassifierError } from '../../errors.js';
import type { TrainingSet } from './data.js';
import { knnProbabilities } from './knn.js';
import { fitLogreg, logregProbabilities } from './logreg.js';
import { fitStandardizer, standardize, type Standardizer } from './standardize.js';

/** The `format` field of a model file. */
export const CLASSIFIER_FORMAT = 'e2v-classifier';
/** The model file version this package writes and reads. */
export const CLASSIFIER_FORMAT_VERSION = 1;

/** Fields every model has. */
interface ModelCommon {
  format: typeof CLASSIFIER_FORMAT;
  version: typeof CLASSIFIER_FORMAT_VERSION;
  /** Class labels, sorted; scores follow this order. */
  labels: string[];
  /** Embedding dimension. */
  dim: number;
  standardizer: Standardizer;
}

/** A multinomial logistic regression model. */
export interface LogregModel extends ModelCommon {
  type: 'logreg';
  l2: number;
  weights: number[][];
  bias: number[];
}

/** A k-NN (cosine) model: the standardized training vectors themselves. */
export interface KnnModel extends ModelCommon {
  type: 'knn';
  k: number;
  points: number[][];
  targets: number[];
}

/** A classifier model, as saved in a model file. */
export type ClassifierModel = LogregModel | KnnModel;

/** How to fit a model. */
export interface ClassifierSpec {
  type: 'logreg' | 'knn';
  /** logreg: L2 penalty on the weights. Default 1e-3. */
  l2?: number;
  /** logreg: most L-BFGS iterations. Default 1000. */
  maxIterations?: number;
  /** knn: neighbours. Default 5. */
  k?: number;
}

/** A prediction: the best label and the score of every label. */
export interface Prediction {
  label: string;
  scores: Record<string, number>;
}

/**
 * Fits a model on a training set.
 * @param set labelled vectors (at least two labels, all vectors of one length)
 * @param spec model type and its settings
 * @returns the model
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_DATA` for unusable data
 */
export function fitClassifier(set: TrainingSet, spec: ClassifierSpec): ClassifierModel {
  const labels = checkTrainingSet(set);
  const standardizer = fitStandardizer(set.vectors);
  const x = set.vectors.map((v) => standardize(standardizer, v));
  const targets = set.labels.map((l) => labels.indexOf(l));
  const common = { format: CLASSIFIER_FORMAT, version: CLASSIFIER_FORMAT_VERSION, labels, dim: standardizer.mean.length, standardizer } as const;
  if (spec.type === 'knn') {
    return { ...common, type: 'knn', k: spec.k ?? 5, points: x.map((v) => Array.from(v)), targets };
  }
  const l2 = spec.l2 ?? 1e-3;
  const { weights, bias } = fitLogreg(x, targets, labels.length, { l2, maxIterations: spec.maxIterations ?? 1000 });
  return { ...common, type: 'logreg', l2, weights, bias };
}

/**
 * Checks a training set and returns its sorted labels.
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_DATA`
 */
function checkTrainingSet(set: TrainingSet): string[] {
  if (set.labels.length !== set.vectors.length) {
    throw new ClassifierError(
      'E2V_ERR_CLASSIFIER_DATA',
      `Expected one label per vector but received ${set.labels.length} labels and ${set.vectors.length} vectors`,
    );
  }
  try {
    checkPoints(set.vectors, 'the training vectors');
  } catch (cause) {
    throw new ClassifierError('E2V_ERR_CLASSIFIER_DATA', (cause as Error).message, { cause });
  }
  const labels = [...new Set(set.labels)].sort();
  if (labels.length < 2) throw new ClassifierError('E2V_ERR_CLASSIFIER_DATA', `Expected at least 2 labels in the training data but found ${labels.length}`);
  return labels;
}

/**
 * Classifies one vector.
 * @param model the model
 * @param vector an embedding vector of length `model.dim`
 * @returns the best label (the first in `model.labels` on ties) and every label's score
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_MODEL` when the length differs from `model.dim`
 */
export function predict(model: ClassifierModel, vector: Vector): Prediction {
  if (vector.length !== model.dim) {
    throw new ClassifierError('E2V_ERR_CLASSIFIER_MODEL', `The model expects embeddings of dimension ${model.dim} but received ${vector.length}`);
  }
  const x = standardize(model.standardizer, vector);
  const probabilities = model.type === 'knn' ? knnProbabilities(model.points, model.targets, model.labels.length, model.k, x) : logregProbabilities(model, x);
  const best = probabilities.indexOf(Math.max(...probabilities));
  return { label: model.labels[best]!, scores: Object.fromEntries(model.labels.map((l, i) => [l, probabilities[i]!])) };
}

/**
 * Saves a model as JSON, atomically, creating its folder.
 * @param model the model
 * @param path the file to write
 */
export async function saveClassifier(model: ClassifierModel, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(model)}\n`);
}

/**
 * Loads a model file.
 * @param path the file
 * @returns the model
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_MODEL` when it cannot be read or is not a valid model
 */
export async function loadClassifier(path: string): Promise<ClassifierModel> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new ClassifierError(
      'E2V_ERR_CLASSIFIER_MODEL',
      `Classifier model ${path} cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  return parseClassifierModel(json, path);
}

/**
 * Checks a parsed model file.
 * @param json the parsed JSON
 * @param source the file name, for messages
 * @returns the model
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_MODEL` naming the first problem
 */
export function parseClassifierModel(json: unknown, source: string): ClassifierModel {
  const fail = (what: string): never => {
    throw new ClassifierError('E2V_ERR_CLASSIFIER_MODEL', `${source} is not a usable classifier model: ${what}`);
  };
  const m = (typeof json === 'object' && json !== null ? json : fail('not a JSON object')) as Record<string, unknown>;
  if (m.format !== CLASSIFIER_FORMAT) fail(`"format" is not "${CLASSIFIER_FORMAT}"`);
  if (m.version !== CLASSIFIER_FORMAT_VERSION)
    fail(`format version ${String(m.version)} is not supported (this e2v reads version ${CLASSIFIER_FORMAT_VERSION})`);
  const isNumbers = (v: unknown, length: number): boolean =>
    Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  const labels = m.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) fail('"labels" must list at least 2 strings');
  const count = (labels as string[]).length;
  const dim = m.dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) fail('"dim" must be a positive integer');
  const d = dim as number;
  const standardizer = m.standardizer as Partial<Standardizer> | undefined;
  if (!isNumbers(standardizer?.mean, d) || !isNumbers(standardizer?.scale, d)) fail(`"standardizer" must hold "mean" and "scale" of ${d} numbers`);
  if (m.type === 'logreg') {
    if (!Array.isArray(m.weights) || m.weights.length !== count || !m.weights.every((w) => isNumbers(w, d)))
      fail(`"weights" must be ${count} rows of ${d} numbers`);
    if (!isNumbers(m.bias, count)) fail(`"bias" must be ${count} numbers`);
  } else if (m.type === 'knn') {
    if (typeof m.k !== 'number' || !Number.isInteger(m.k) || m.k < 1) fail('"k" must be a positive integer');
    if (!Array.isArray(m.points) || m.points.length === 0 || !m.points.every((p) => isNumbers(p, d))) fail(`"points" must be rows of ${d} numbers`);
    const targets = m.targets;
    if (!Array.isArray(targets) || targets.length !== (m.points as unknown[]).length || !targets.every((t) => Number.isInteger(t) && t >= 0 && t < count)) {
      fail('"targets" must give a label index for every point');
    }
  } else {
    fail(`unknown "type" ${JSON.stringify(m.type)} (expected "logreg" or "knn")`);
  }
  return m as unknown as ClassifierModel;
}
