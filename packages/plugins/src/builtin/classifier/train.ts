/**
 * `trainClassifier`: what `e2v classifier train` runs.
 * @module
 */
import { loadTrainingData, type TrainingSet } from './data.js';
import { crossValidate, type CrossValidation } from './cross-validate.js';
import { fitClassifier, saveClassifier, type ClassifierModel, type ClassifierSpec } from './model.js';

/** Options of {@link trainClassifier}. */
export interface TrainClassifierOptions extends ClassifierSpec {
  /** A folder `DIR/<label>/*.npy`, a CSV file, or labelled vectors. */
  data: string | TrainingSet;
  /** Cross-validation folds; 0 skips cross-validation. Default 5. */
  folds?: number;
  /** Seed of the fold shuffle. Default 0. */
  seed?: number;
  /** When given, the model is saved there (atomically). */
  out?: string;
}

/** What {@link trainClassifier} returns. */
export interface TrainClassifierResult {
  /** The model fitted on all the data. */
  model: ClassifierModel;
  /** The cross-validation, or null with `folds: 0`. */
  crossValidation: CrossValidation | null;
}

/**
 * Loads training data, cross-validates the spec, fits the model on all data and saves it.
 * @param options data, model type and settings, folds, seed, output file
 * @returns the model and the cross-validation report
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_DATA` for unusable data
 * @example
 * const { crossValidation } = await trainClassifier({ data: 'embeddings/', type: 'logreg', folds: 5, seed: 1, out: 'model.json' });
 */
export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainClassifierResult> {
  const set = typeof options.data === 'string' ? await loadTrainingData(options.data) : options.data;
  const { type, l2, maxIterations, k } = options;
  const spec: ClassifierSpec = {
    type,
    ...(l2 === undefined ? {} : { l2 }),
    ...(maxIterations === undefined ? {} : { maxIterations }),
    ...(k === undefined ? {} : { k }),
  };
  const folds = options.folds ?? 5;
  const crossValidation = folds === 0 ? null : crossValidate(set, spec, folds, options.seed ?? 0);
  const model = fitClassifier(set, spec);
  if (options.out !== undefined) await saveClassifier(model, options.out);
  return { model, crossValidation };
}
