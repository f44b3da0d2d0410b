/**
 * `e2v similarity A B`: the cosine similarity of two utterance embeddings, each from an audio
 * file (analyzed with the model) or a `.npy` embedding (`(D,)`, or `(T', D)` averaged).
 * @module
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '@e2v/engine';
import { cosineSimilarity } from '@e2v/core';
import { EXIT, UsageError } from '../../errors.js';
import type { CliIo } from '../../io.js';
import { modelFolder } from '../model-folder.js';
import { modelsDir as resolveModelsDir } from '../model.js';
import { embedInputs } from './embedding-source.js';

/**
 * Runs `e2v similarity`.
 * @returns 0, or 1 when an input cannot be read or analyzed
 */
export async function runSimilarity(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { model: { type: 'string' }, 'models-dir': { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 2) throw new UsageError('e2v similarity takes two inputs: audio files or .npy embeddings');
  const files = positionals.map((p) => resolve(p));
  const model = modelFolder(values.model, resolveModelsDir(values['models-dir']));
  const { inputs, close } = await embedInputs(files, () => Engine.load(model.dir));
  await close();
  const [a, b] = inputs as [(typeof inputs)[0], (typeof inputs)[0]];
  if (a.vector.length !== b.vector.length) throw new UsageError(`the embeddings differ in size: ${a.vector.length} and ${b.vector.length}`);
  const cosine = cosineSimilarity(a.vector, b.vector);
  if (values.json) io.stdout(`${JSON.stringify({ a: a.file, b: b.file, cosine, dim: a.vector.length })}\n`);
  else io.stdout(`${cosine.toFixed(6)}\n`);
  return EXIT.ok;
}
