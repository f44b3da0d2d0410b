/**
 * Whole-file writes that are complete or absent: write a temporary file in the same folder,
 * then rename it over the target (or, with `exclusive`, hard-link it to the target, which fails
 * when the target exists, so the first writer wins).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { link, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of the temporary files; a folder listing should skip names ending with it. */
export const TEMP_SUFFIX = '.tmp';

/**
 * Writes `data` to `path` atomically; the temporary file never outlives the call.
 * @param path the target
 * @param data the whole content
 * @param options `exclusive`: leave an existing target alone
 * @returns false when `exclusive` and the target already existed, else true
 * @throws the file system's error
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { exclusive?: boolean } = {}): Promise<boolean> {
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}${TEMP_SUFFIX}`);
  try {
    await writeFile(temp, data);
    if (options.exclusive !== true) {
      await rename(temp, path);
      return true;
    }
    await link(temp, path);
    return true;
  } catch (error) {
    if (options.exclusive === true && (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}
