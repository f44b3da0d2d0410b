/**
 * Which model folder a command loads: `--model DIR`, else `E2V_MODEL_DIR`, else
 * `<models dir>/emotion2vec_plus_large` (where `e2v model pull` puts it).
 * @module
 */
import { join, resolve } from 'node:path';
import { DEFAULT_MODEL_NAME } from '@e2v/core';

/**
 * The model folder and whether the user chose it.
 * @param flag the `--model` value
 * @param modelsDir the models folder
 */
export function modelFolder(flag: string | undefined, modelsDir: string): { dir: string; chosen: boolean } {
  const chosen = flag ?? process.env.E2V_MODEL_DIR;
  return chosen !== undefined && chosen !== '' ? { dir: resolve(chosen), chosen: true } : { dir: join(modelsDir, DEFAULT_MODEL_NAME), chosen: false };
}
