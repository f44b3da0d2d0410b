/**
 * Test helper: a small tmpfs mount, so that a full disk is produced for real. Mounting needs
 * root; {@link canMount} says whether it works here, for `it.skipIf(!canMount)`.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mounted tmpfs. */
export class Tmpfs {
  private constructor(
    /** The mount point. */
    readonly dir: string,
  ) {}

  /**
   * Mounts a tmpfs of `size` (e.g. `64k`, `1m`) on a new temporary folder.
   * @throws Error when mount fails (not root)
   */
  static mount(size: string): Tmpfs {
    const dir = mkdtempSync(join(tmpdir(), 'e2v-tmpfs-'));
    try {
      mountCommand(['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new Tmpfs(dir);
  }

  /** Gives the mount a new size (its files stay). */
  resize(size: string): void {
    mountCommand(['-o', `remount,size=${size}`, this.dir]);
  }

  /** Unmounts and removes the mount point. */
  unmount(): void {
    const umount = spawnSync('umount', [this.dir], { encoding: 'utf8' });
    if (umount.status !== 0) throw new Error(`umount ${this.dir} failed: ${umount.stderr.trim()}`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function mountCommand(args: string[]): void {
  const mount = spawnSync('mount', args, { encoding: 'utf8' });
  if (mount.status !== 0) throw new Error(`mount ${args.join(' ')} failed: ${mount.stderr?.trim() ?? mount.error?.message}`);
}

/** True when a tmpfs can be mounted here (root, and a kernel that allows it). */
export const canMount: boolean = (() => {
  try {
    Tmpfs.mount('64k').unmount();
    return true;
  } catch {
    return false;
  }
})();

/**
 * Fills the disk of `dir` with a file `filler` until the disk is full.
 * @returns the filler's path
 */
export function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const chunk = Buffer.alloc(4096); ; ) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}
