/**
 * Transfer rate over a sliding window, and the ETA it implies.
 * @module
 */

/** Sliding-window rate meter: feed it (time, bytes done) samples. */
export class RateMeter {
  readonly #windowMs: number;
  #samples: { t: number; bytes: number }[] = [];

  /** @param windowMs how far back the rate looks (default 5 s) */
  constructor(windowMs = 5000) {
    if (!(windowMs > 0)) throw new RangeError(`Expected a positive windowMs but received ${windowMs}`);
    this.#windowMs = windowMs;
  }

  /**
   * Records the byte count reached at time `t`. A count lower than the last one
   * (a restarted download) starts a new window.
   * @param t time in ms (any monotonic clock)
   * @param bytes bytes done so far
   */
  add(t: number, bytes: number): void {
    const last = this.#samples[this.#samples.length - 1];
    if (last !== undefined && bytes < last.bytes) this.#samples = [];
    this.#samples.push({ t, bytes });
    // keep one sample older than the window so the window is always covered
    while (this.#samples.length > 2 && (this.#samples[1]?.t ?? t) <= t - this.#windowMs) this.#samples.shift();
  }

  /** Bytes per second over the window, or 0 before two samples spanning some time. */
  rate(): number {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (first === undefined || last === undefined || last.t <= first.t) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /**
   * Seconds left at the current rate.
   * @param total total bytes, or null when unknown
   * @returns seconds, or null when the total or the rate is unknown
   */
  eta(total: number | null): number | null {
    const last = this.#samples[this.#samples.length - 1];
    const r = this.rate();
    if (total === null || last === undefined || r <= 0) return null;
    return Math.max(0, (total - last.bytes) / r);
  }
}
