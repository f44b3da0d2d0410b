/**
 * Real full disks for the tests: a small tmpfs mounted on a temporary folder (needs root:
 * `mount -t tmpfs -o size=2m tmpfs DIR`), filled until the kernel says ENOSPC (in ever smaller
 * writes, so that not a byte is left). Where mounting is
 * not allowed, {@link TMPFS_UNAVAILABLE} says why, so the tests that need it are skipped visibly.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function mount(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
}

function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}

/** Why a tmpfs cannot be mounted here, or undefined when it can. */
export const TMPFS_UNAVAILABLE: string | undefined = (() => {
  const probe = mkdtempSync(join(tmpdir(), 'e2v-tmpfs-probe-'));
  try {
    mount(probe, '64k');
    unmount(probe);
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs (${
      String((error as { stderr?: Buffer }).stderr ?? (error as Error).message)
        .trim()
        .split('\n')[0]
    })`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();

/** A mounted tmpfs. */
export interface Tmpfs {
  dir: string;
  /** Fills the disk with one file until the kernel refuses even one byte (ENOSPC); returns its path. */
  fill(): Promise<string>;
  /** Unmounts and removes the folder. */
  remove(): Promise<void>;
}

/**
 * Mounts a tmpfs of `size` (e.g. `2m`) on a new temporary folder.
 * @throws when mounting is not allowed (check {@link TMPFS_UNAVAILABLE} first)
 */
export async function mountTmpfs(size: string): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), 'e2v-tmpfs-'));
  mount(dir, size);
  return {
    dir,
    fill: async () => {
      const filler = join(dir, 'filler.bin');
      for (const size of [64 * 1024, 4096, 1]) {
        const chunk = new Uint8Array(size);
        for (;;) {
          try {
            await appendFile(filler, chunk);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw error;
          }
        }
      }
      return filler;
    },
    remove: async () => {
      unmount(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
