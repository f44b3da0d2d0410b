/**
 * A lock file so two pulls of the same model do not write the same `.part`.
 * The file holds the owner's pid; a lock whose process is gone is taken over.
 * @module
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { PullError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock at `file`. [async]
 * @param file lock file path (its folder must exist)
 * @param what what is locked, for the message (e.g. the model id)
 * @returns a function releasing the lock (idempotent)
 * @throws PullError `E2V_ERR_PULL_BUSY` when a live process holds it
 */
export async function acquireLock(file: string, what: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(owner) && owner > 0 && alive(owner)) {
      throw new PullError('E2V_ERR_PULL_BUSY', `Another pull of ${what} is running (pid ${owner}); wait for it, or delete ${file} if that process is not e2v.`);
    }
    await rm(file, { force: true }); // stale: its process is gone
  }
  throw new PullError('E2V_ERR_PULL_BUSY', `Cannot take the lock ${file} for ${what}.`);
}
