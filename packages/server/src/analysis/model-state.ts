/**
 * Which model the server runs, or why it runs none. The server starts without a model (offline,
 * nothing converted yet): the page, `/api/v1/health` and every analysis then say exactly which
 * command installs one.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_NAME, MANIFEST_FILE } from '@e2v/core';
import { Engine, type EngineOptions } from '@e2v/engine';
import { HttpError } from '../errors.js';

/** The command that installs the default model. */
export const INSTALL_COMMAND = `pnpm e2v model pull ${DEFAULT_MODEL_NAME}`;

/** Ready with an engine, or not ready with the reason and the fix. */
export type ModelStatus = { ready: true; engine: Engine } | { ready: false; reason: string; installCommand: string };

/**
 * Loads the model folder, or explains why there is none.
 * @param modelDir the converted model folder, or undefined for none
 * @param options engine options
 */
export async function loadModelStatus(modelDir: string | undefined, options: EngineOptions): Promise<ModelStatus> {
  if (modelDir === undefined) {
    return { ready: false, reason: 'no model folder was given (--model DIR or E2V_MODEL_DIR)', installCommand: INSTALL_COMMAND };
  }
  if (!existsSync(join(modelDir, MANIFEST_FILE))) {
    return { ready: false, reason: `no converted model in ${modelDir} (${MANIFEST_FILE} missing)`, installCommand: INSTALL_COMMAND };
  }
  try {
    return { ready: true, engine: await Engine.load(modelDir, options) };
  } catch (error) {
    return { ready: false, reason: `the model in ${modelDir} cannot be loaded: ${(error as Error).message}`, installCommand: INSTALL_COMMAND };
  }
}

/**
 * The engine, or a 503 saying how to install a model.
 * @throws HttpError 503 `E2V_ERR_HTTP_NO_MODEL`
 */
export function requireEngine(status: ModelStatus): Engine {
  if (status.ready) return status.engine;
  throw new HttpError(503, 'E2V_ERR_HTTP_NO_MODEL', `No model is loaded: ${status.reason}. Install one with: ${status.installCommand}`);
}
