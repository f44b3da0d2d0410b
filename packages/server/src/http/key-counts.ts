/**
 * Counts by key (open connections or streams per client address) that forget keys at zero, so a
 * flood of addresses leaves nothing behind.
 * @module
 */

/** A count per key. */
export class KeyCounts {
  private readonly counts = new Map<string, number>();

  /** The count of `key` (0 when absent). */
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Adds `delta` (may be negative) to the count of `key`. */
  add(key: string, delta: number): void {
    const count = this.get(key) + delta;
    if (count === 0) this.counts.delete(key);
    else this.counts.set(key, count);
  }
}
