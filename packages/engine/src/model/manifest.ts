/**
 * Reading `model.json`, the manifest of a converted model folder (design.md, "Converted model
 * folder"; the contract and its parser are @e2v/core's), with the engine's errors.
 * @module
 */
import { ManifestError, MANIFEST_FILE, parseManifest, type ModelManifest } from '@e2v/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoadError } from '../errors.js';

/**
 * Reads `<modelDir>/model.json`.
 * @throws ModelLoadError `E2V_ERR_MODEL_NOT_FOUND` when the folder or file is missing, `E2V_ERR_MODEL_MANIFEST` when it is invalid
 */
export async function readManifest(modelDir: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(join(modelDir, MANIFEST_FILE), 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ModelLoadError(
      'E2V_ERR_MODEL_NOT_FOUND',
      modelDir,
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `${modelDir} is not a model folder: ${MANIFEST_FILE} is missing (convert a checkpoint with \`e2v model convert\`)`
        : `cannot read ${join(modelDir, MANIFEST_FILE)}: ${(cause as Error).message}`,
      { cause },
    );
  }
  try {
    return parseManifest(text, modelDir);
  } catch (error) {
    if (error instanceof ManifestError) throw new ModelLoadError(error.code, modelDir, error.message, { cause: error });
    throw error;
  }
}
