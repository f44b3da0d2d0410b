/**
 * k-fold cross-validation of a classifier spec: seeded, stratified folds; accuracy and a
 * confusion matrix over all held-out predictions.
 * @module
 */
import { ClassifierError } from '../../errors.js';
import { createRandom, shuffled } from '@e2v/core';
import type { TrainingSet } from './data.js';
import { fitClassifier, predict, type ClassifierSpec } from './model.js';

/** The outcome of a cross-validation. */
export interface CrossValidation {
  folds: number;
  /** Share of held-out vectors classified correctly. */
  accuracy: number;
  /** `matrix[i][j]`: vectors of label `labels[i]` predicted as `labels[j]`. */
  confusion: { labels: string[]; matrix: number[][] };
}

/**
 * Cross-validates. Vectors are shuffled with `seed`, then dealt label by label over the folds,
 * so each fold holds about the same share of every label.
 * @param set the labelled vectors
 * @param spec the model to fit on each training part
 * @param folds number of folds, 2..number of vectors
 * @param seed shuffle seed
 * @returns accuracy and confusion matrix
 * @throws ClassifierError `E2V_ERR_CLASSIFIER_DATA` for too few vectors or unusable data
 */
export function crossValidate(set: TrainingSet, spec: ClassifierSpec, folds: number, seed: number): CrossValidation {
  if (!Number.isInteger(folds) || folds < 2 || folds > set.vectors.length) {
    throw new ClassifierError(
      'E2V_ERR_CLASSIFIER_DATA',
      `Cannot cross-validate ${set.vectors.length} vectors with ${folds} folds (need 2 <= folds <= vectors)`,
    );
  }
  const labels = [...new Set(set.labels)].sort();
  const order = shuffled(
    set.labels.map((_, i) => i),
    createRandom(seed),
  ).sort((a, b) => labels.indexOf(set.labels[a]!) - labels.indexOf(set.labels[b]!));
  const foldOf = new Array<number>(set.vectors.length);
  order.forEach((index, position) => {
    foldOf[index] = position % folds;
  });
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  let correct = 0;
  for (let fold = 0; fold < folds; fold++) {
    const train: TrainingSet = { labels: [], vectors: [] };
    set.vectors.forEach((v, i) => {
      if (foldOf[i] !== fold) {
        train.labels.push(set.labels[i]!);
        train.vectors.push(v);
      }
    });
    const model = fitClassifier(train, spec);
    set.vectors.forEach((v, i) => {
      if (foldOf[i] !== fold) return;
      const predicted = predict(model, v).label;
      matrix[labels.indexOf(set.labels[i]!)]![labels.indexOf(predicted)]!++;
      if (predicted === set.labels[i]) correct++;
    });
  }
  return { folds, accuracy: correct / set.vectors.length, confusion: { labels, matrix } };
}
