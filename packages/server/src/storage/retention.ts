/**
 * Retention of the uploads and outputs folders: entries (an upload's `<sha256>` folder, an
 * `outputs_*` folder) older than a maximum age go, then the oldest ones until the folder is under
 * a maximum size. Never an entry in use (pinned by the file store), nor one created or used in the
 * last {@link RETENTION_GRACE_MS}; nothing that is not the server's own (other names are left
 * alone). Temporary files of interrupted uploads older than {@link DEBRIS_AGE_MS} are removed too.
 * @module
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** Limits of one folder; an absent limit is not enforced. */
export interface RetentionLimits {
  /** Entries older than this (by their last write or use) are removed. */
  maxAgeMs?: number | undefined;
  /** The oldest entries are removed while the folder holds more than this. */
  maxBytes?: number | undefined;
}

/** Entries this young are never removed (a client may be about to use a fresh upload). */
export const RETENTION_GRACE_MS = 5 * 60_000;

/** Temporary files older than this are leftovers of interrupted writes. */
export const DEBRIS_AGE_MS = 60 * 60_000;

/** How often a folder with limits is swept. */
export const SWEEP_INTERVAL_MS = 60_000;

/** What a name in the folder is: an entry retention manages, a leftover temporary file, or neither. */
export type EntryKind = 'entry' | 'debris' | undefined;

/** How one folder is swept. */
export interface RetentionOptions {
  /** The folder. */
  dir: string;
  /** Its name in log lines (`uploads`, `outputs`). */
  label: string;
  limits: RetentionLimits;
  /** Classifies a name of the folder. */
  kind(name: string): EntryKind;
  /** True while an entry is in use. */
  inUse(path: string): boolean;
  logger: Logger;
}

interface Entry {
  path: string;
  bytes: number;
  /** Last write or use (the newest mtime of the entry and its files). */
  mtimeMs: number;
  debris: boolean;
}

/** Size and newest mtime of a file or a folder (its files included). */
async function measure(path: string): Promise<{ bytes: number; mtimeMs: number }> {
  const info = await stat(path);
  if (!info.isDirectory()) return { bytes: info.size, mtimeMs: info.mtimeMs };
  let bytes = 0;
  let mtimeMs = info.mtimeMs;
  for (const name of await readdir(path, { recursive: true })) {
    const file = await stat(join(path, name)).catch(() => undefined);
    if (file === undefined) continue;
    if (file.isFile()) bytes += file.size;
    mtimeMs = Math.max(mtimeMs, file.mtimeMs);
  }
  return { bytes, mtimeMs };
}

/** Keeps one folder within its limits. */
export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;

  /** @param options the folder, its limits and how to recognise its entries */
  constructor(private readonly options: RetentionOptions) {}

  /** True when the folder has an age or size limit. */
  get limited(): boolean {
    const { maxAgeMs, maxBytes } = this.options.limits;
    return maxAgeMs !== undefined || maxBytes !== undefined;
  }

  /**
   * Removes what the limits (and the debris rule) say, oldest first, and logs it. One sweep runs
   * at a time; a call during a sweep returns that sweep's result.
   * @param now the current time (tests move it)
   * @returns the paths removed
   */
  sweep(now = Date.now()): Promise<string[]> {
    this.running ??= this.run(now).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Sweeps every {@link SWEEP_INTERVAL_MS} (only when the folder has limits). */
  start(): void {
    if (!this.limited || this.timer !== undefined) return;
    this.timer = setInterval(
      () => void this.sweep().catch((error: unknown) => this.options.logger.warn({ err: error, folder: this.options.label }, 'retention sweep failed')),
      SWEEP_INTERVAL_MS,
    );
    this.timer.unref();
  }

  /** Stops the periodic sweeps. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async list(): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (const name of await readdir(this.options.dir)) {
      const kind = this.options.kind(name);
      if (kind === undefined || (kind === 'entry' && !this.limited)) continue;
      const path = join(this.options.dir, name);
      const measured = await measure(path).catch(() => undefined);
      if (measured !== undefined) entries.push({ path, ...measured, debris: kind === 'debris' });
    }
    return entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
  }

  private async run(now: number): Promise<string[]> {
    const { maxAgeMs = Number.POSITIVE_INFINITY, maxBytes = Number.POSITIVE_INFINITY } = this.options.limits;
    const entries = await this.list();
    let total = entries.reduce((sum, entry) => sum + (entry.debris ? 0 : entry.bytes), 0);
    const removed: string[] = [];
    let freed = 0;
    for (const entry of entries) {
      const age = now - entry.mtimeMs;
      const due = entry.debris ? age > DEBRIS_AGE_MS : age > maxAgeMs || total > maxBytes;
      if (!due || age < RETENTION_GRACE_MS || this.options.inUse(entry.path)) continue;
      await rm(entry.path, { recursive: true, force: true });
      if (!entry.debris) total -= entry.bytes;
      freed += entry.bytes;
      removed.push(entry.path);
    }
    if (removed.length > 0) {
      this.options.logger.info(
        { folder: this.options.label, removed: removed.length, freedBytes: freed, keptBytes: total, paths: removed.slice(0, 20) },
        'retention removed old entries',
      );
    }
    return removed;
  }
}
