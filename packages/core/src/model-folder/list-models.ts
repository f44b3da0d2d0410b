/**
 * The registry's models with whether each is installed in a models folder, for
 * `e2v model list` and the server's `GET /api/v1/models`.
 * @module
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE } from './manifest.js';
import { defaultModelsDir, loadRegistry, type Registry } from './registry.js';

/** One registry model as `e2v model list` shows it. */
export interface ListedModel {
  /** Model id. */
  id: string;
  /** One-line description. */
  description: string;
  /** True when `<modelsDir>/<id>/model.json` exists. */
  installed: boolean;
  /** `<modelsDir>/<id>`. */
  dir: string;
  /** Hugging Face repository. */
  huggingface: string;
  /** ModelScope id. */
  modelscope: string;
  /** Approximate download size of all files, bytes (null when unknown). */
  approxBytes: number | null;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The registry's models with whether each is installed (`<modelsDir>/<id>/model.json` exists). [async]
 * @param modelsDir folder of converted models (default {@link defaultModelsDir}())
 * @param registry registry to list (default {@link loadRegistry}())
 * @throws RegistryError `E2V_ERR_PULL_REGISTRY` when the default registry cannot be read
 */
export async function listModels(modelsDir: string = defaultModelsDir(), registry: Registry = loadRegistry()): Promise<ListedModel[]> {
  return Promise.all(
    registry.models.map(async (m): Promise<ListedModel> => {
      const dir = path.join(path.resolve(modelsDir), m.id);
      const sizes = m.files.map((f) => f.approxBytes);
      return {
        id: m.id,
        description: m.description,
        installed: await isFile(path.join(dir, MANIFEST_FILE)),
        dir,
        huggingface: m.huggingface,
        modelscope: m.modelscope,
        approxBytes: sizes.every((s) => s !== null) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : null,
      };
    }),
  );
}
