/**
 * `e2v classifier train --data DIR|CSV --type logreg|knn --out FILE`: trains a custom classifier
 * on embeddings (the `classifier` plugin applies it to results), reports k-fold accuracy and the
 * confusion matrix, and saves the model atomically.
 * @module
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { trainClassifier, type CrossValidation } from '@e2v/plugins';
import { EXIT, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { numberFlag } from './flags.js';

/** The confusion matrix as a text table (rows: true label, columns: predicted). */
export function formatConfusion(cv: CrossValidation): string {
  const { labels, matrix } = cv.confusion;
  const width = Math.max(8, ...labels.map((l) => l.length), ...matrix.flat().map((n) => String(n).length));
  const header = `${'true \\ predicted'.padEnd(width + 2)}${labels.map((l) => l.padStart(width + 1)).join('')}`;
  const rows = labels.map((label, i) => `${label.padEnd(width + 2)}${matrix[i]!.map((n) => String(n).padStart(width + 1)).join('')}`);
  return [header, ...rows].join('\n');
}

async function train(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      data: { type: 'string' },
      type: { type: 'string', default: 'logreg' },
      out: { type: 'string' },
      folds: { type: 'string' },
      seed: { type: 'string' },
      k: { type: 'string' },
      l2: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.data === undefined) throw new UsageError('e2v classifier train needs --data DIR|CSV');
  if (values.out === undefined) throw new UsageError('e2v classifier train needs --out FILE');
  if (values.type !== 'logreg' && values.type !== 'knn') throw new UsageError(`--type must be logreg or knn, not '${values.type}'`);
  const folds = numberFlag(values.folds, '--folds', (n) => Number.isInteger(n) && (n === 0 || n >= 2), '0 or an integer >= 2');
  const seed = numberFlag(values.seed, '--seed', Number.isInteger, 'an integer');
  const k = numberFlag(values.k, '--k', (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  const l2 = numberFlag(values.l2, '--l2', (n) => Number.isFinite(n) && n >= 0, 'a number >= 0');
  const { model, crossValidation } = await trainClassifier({
    data: resolve(values.data),
    type: values.type,
    out: resolve(values.out),
    ...(folds === undefined ? {} : { folds }),
    ...(seed === undefined ? {} : { seed }),
    ...(k === undefined ? {} : { k }),
    ...(l2 === undefined ? {} : { l2 }),
  });
  if (values.json) {
    io.stdout(`${JSON.stringify({ out: resolve(values.out), type: values.type, labels: model.labels, crossValidation })}\n`);
    return EXIT.ok;
  }
  io.stdout(`trained ${values.type} on ${model.labels.length} labels (${model.labels.join(', ')}); saved ${resolve(values.out)}\n`);
  if (crossValidation !== null) {
    io.stdout(`${crossValidation.folds}-fold cross-validated accuracy: ${(crossValidation.accuracy * 100).toFixed(1)}%\n${formatConfusion(crossValidation)}\n`);
  }
  return EXIT.ok;
}

/**
 * Runs `e2v classifier <subcommand>`.
 * @returns exit code
 */
export async function runClassifier(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'train') return train(rest, io);
  throw new UsageError(sub === undefined ? 'e2v classifier needs a subcommand: train' : `unknown classifier subcommand '${sub}'`);
}
