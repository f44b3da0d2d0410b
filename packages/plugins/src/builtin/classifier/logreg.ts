/**
 * Multinomial logistic regression with L2 regularisation (weights only, not the biases), fitted
 * by L-BFGS on the mean cross-entropy.
 * @module
 */
import { minimizeLbfgs } from '../../math/lbfgs.js';
import { dot, type Vector } from '@e2v/core';

/** The fitted parameters: one weight row and one bias per class. */
export interface LogregParameters {
  weights: number[][];
  bias: number[];
}

/** Options of {@link fitLogreg}. */
export interface LogregFitOptions {
  /** L2 penalty: the objective is mean cross-entropy + l2/2 * |W|^2. */
  l2: number;
  /** Most L-BFGS iterations. */
  maxIterations: number;
}

/**
 * Fits the model.
 * @param x standardized training vectors
 * @param y class index of each vector, 0..classCount-1
 * @param classCount number of classes
 * @param options penalty and iteration limit
 * @returns weights, biases and whether the optimiser converged
 */
export function fitLogreg(
  x: readonly Vector[],
  y: readonly number[],
  classCount: number,
  options: LogregFitOptions,
): LogregParameters & { converged: boolean } {
  const dim = x[0]!.length;
  const n = x.length;
  const biasAt = classCount * dim;
  const objective = (theta: Float64Array): { value: number; gradient: Float64Array } => {
    const gradient = new Float64Array(theta.length);
    let value = 0;
    const parameters = { weights: Array.from({ length: classCount }, (_, c) => theta.subarray(c * dim, (c + 1) * dim)), bias: theta.subarray(biasAt) };
    for (let i = 0; i < n; i++) {
      const probabilities = logregProbabilities(parameters, x[i]!);
      value -= Math.log(Math.max(probabilities[y[i]!]!, 1e-300)) / n;
      for (let c = 0; c < classCount; c++) {
        const error = (probabilities[c]! - (c === y[i] ? 1 : 0)) / n;
        for (let j = 0; j < dim; j++) gradient[c * dim + j]! += error * x[i]![j]!;
        gradient[biasAt + c]! += error;
      }
    }
    for (let k = 0; k < biasAt; k++) {
      value += (options.l2 / 2) * theta[k]! ** 2;
      gradient[k]! += options.l2 * theta[k]!;
    }
    return { value, gradient };
  };
  const result = minimizeLbfgs(objective, new Float64Array(biasAt + classCount), { maxIterations: options.maxIterations });
  const weights = Array.from({ length: classCount }, (_, c) => Array.from(result.x.subarray(c * dim, (c + 1) * dim)));
  return { weights, bias: Array.from(result.x.subarray(biasAt)), converged: result.converged };
}

/**
 * Class probabilities of one standardized vector.
 * @param parameters weight rows and biases
 * @param x the vector
 * @returns softmax(W x + b)
 */
export function logregProbabilities(parameters: { weights: readonly Vector[]; bias: Vector }, x: Vector): number[] {
  return softmax(parameters.weights.map((w, c) => parameters.bias[c]! + dot(w, x)));
}

/** Numerically stable softmax. */
function softmax(z: readonly number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
