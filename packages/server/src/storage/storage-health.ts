/**
 * Whether the server's folders take writes: the last write to the uploads folder and the last
 * write of an outputs folder, as `ok`, `full` (no space or quota left) or `failing` (another
 * write error). `/api/v1/health` reports it; a later successful write clears it.
 * @module
 */

/** The folders whose writes are tracked. */
export type StorageArea = 'uploads' | 'outputs';

/** State of one folder: the last write succeeded, found the disk full, or failed otherwise. */
export type StorageState = 'ok' | 'full' | 'failing';

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/**
 * True when `error` (or an error in its `cause` chain) says the disk or the quota is full.
 * @param error what a write threw
 */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (FULL_CODES.has((e as NodeJS.ErrnoException).code ?? '')) return true;
  }
  return false;
}

/** The write state of the uploads and outputs folders. */
export class StorageHealth {
  private readonly states: Record<StorageArea, StorageState> = { uploads: 'ok', outputs: 'ok' };

  /**
   * Records the outcome of a write.
   * @param area the folder written
   * @param error what the write threw, or undefined when it succeeded
   */
  record(area: StorageArea, error?: unknown): void {
    this.states[area] = error === undefined ? 'ok' : isDiskFull(error) ? 'full' : 'failing';
  }

  /** The state of both folders. */
  get snapshot(): Readonly<Record<StorageArea, StorageState>> {
    return { ...this.states };
  }

  /** True when every folder took its last write. */
  get ok(): boolean {
    return this.states.uploads === 'ok' && this.states.outputs === 'ok';
  }
}
