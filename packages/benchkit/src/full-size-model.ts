/**
 * The full-size random emotion2vec+ large model that benchmarks and stress runs measure: a
 * checkpoint synthesized from test/fixtures/emotion2vec/full-size-config.yaml (seed 1, the real
 * model's shapes and cost) and converted (fp32 + int8) into a cache folder, rebuilt when the
 * converter's graph code changes.
 * @module
 */
import { createHash } from 'node:crypto';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The converter's functions, passed in by the caller (@e2v/convert's own bench uses this
 * package, so it cannot depend on @e2v/convert).
 */
export interface FullSizeConverter {
  synthCheckpoint(options: { config: string; out: string; seed: number }): Promise<unknown>;
  convertCheckpoint(options: { from: string; out: string; int8: boolean; overwrite: boolean; name: string }): Promise<unknown>;
  /** Folder of the converter's built graph modules (`dist/onnx`): a cached model converted by other code is rebuilt. */
  graphCodeDir: string;
}

/** The architecture of emotion2vec+ large (config.yaml of the real checkpoint). */
export const FULL_SIZE_CONFIG = fileURLToPath(new URL('../../../test/fixtures/emotion2vec/full-size-config.yaml', import.meta.url));

/** Default cache folder of the converted model. */
export const FULL_SIZE_CACHE = join(tmpdir(), 'e2v-bench-full');

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A hash of the converter's graph code. */
async function converterHash(graphCodeDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(graphCodeDir)).filter((n) => n.endsWith('.js')).sort()) hash.update(await readFile(join(graphCodeDir, name)));
  return hash.digest('hex');
}

/**
 * [async] The converted full-size model folder: reused from `cache` when the same converter
 * made it, else synthesized (unless `checkpoint` holds a model.pt) and converted, which takes a
 * few minutes.
 * @param converter @e2v/convert's synthCheckpoint and convertCheckpoint, and its graph code folder
 * @param options cache folder (default {@link FULL_SIZE_CACHE}), a checkpoint folder to convert instead of a synthesized one, where progress lines go
 * @returns the model folder
 */
export async function fullSizeModel(
  converter: FullSizeConverter,
  options: { cache?: string; checkpoint?: string; log?: (line: string) => void } = {},
): Promise<string> {
  const cache = options.cache ?? FULL_SIZE_CACHE;
  const log = options.log ?? ((line: string) => console.log(line));
  const model = join(cache, 'model');
  const stampFile = join(cache, 'model-converter.sha256');
  const stamp = await converterHash(converter.graphCodeDir);
  if ((await exists(join(model, 'model.int8.onnx'))) && (await exists(stampFile)) && (await readFile(stampFile, 'utf8')) === stamp) {
    log(`model: reusing ${model}`);
    return model;
  }
  let source = options.checkpoint ?? join(cache, 'checkpoint');
  if (!(await exists(join(source, 'model.pt')))) {
    source = join(cache, 'checkpoint');
    log(`model: synthesizing a full-size random checkpoint in ${source} ...`);
    await converter.synthCheckpoint({ config: FULL_SIZE_CONFIG, out: source, seed: 1 });
  }
  log(`model: converting ${source} (fp32 + int8) into ${model} ...`);
  await converter.convertCheckpoint({ from: source, out: model, int8: true, overwrite: true, name: 'emotion2vec_plus_large-random' });
  await writeFile(stampFile, stamp);
  return model;
}
