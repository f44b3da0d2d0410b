/**
 * `SegmentFeed`: 16 kHz samples pushed in chunks of any size -> segments (see segment.ts) handed
 * on one at a time as soon as each is decided. Only the samples not yet handed on are kept: about
 * one and a half maximum segments plus a chunk, whatever the input's length.
 * @module
 */
import type { SegmentPlanner, Segment } from './segment.js';

/** Takes one segment; `samples` is valid only until the returned promise settles. */
export type SegmentConsumer = (segment: Segment, samples: Float32Array) => Promise<void>;

/** Cuts a stream of samples into segments and passes each to a consumer, in order. */
export class SegmentFeed {
  /** Samples [bufferStart, bufferStart + length) of the input, at the front of `buffer`. */
  #buffer = new Float32Array(0);
  #length = 0;
  #bufferStart = 0;
  #ended = false;

  /**
   * @param planner decides where each segment ends
   * @param consume takes each segment in order (awaited before the next)
   */
  constructor(
    private readonly planner: SegmentPlanner,
    private readonly consume: SegmentConsumer,
  ) {}

  /** Samples received so far. */
  get received(): number {
    return this.#bufferStart + this.#length;
  }

  /** [async] Adds the next samples (copied) and hands on every segment now decided. */
  async push(samples: Float32Array): Promise<void> {
    if (this.#ended) throw new Error('SegmentFeed: push after end');
    this.append(samples);
    await this.drain(false);
  }

  /** [async] Ends the input: hands on the remaining segments. */
  async end(): Promise<void> {
    this.#ended = true;
    await this.drain(true);
  }

  private append(samples: Float32Array): void {
    const needed = this.#length + samples.length;
    if (needed > this.#buffer.length) {
      const grown = new Float32Array(Math.max(needed, Math.ceil(this.#buffer.length * 1.5)));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(samples, this.#length);
    this.#length = needed;
  }

  private async drain(ended: boolean): Promise<void> {
    while (this.#length > 0) {
      const start = this.#bufferStart;
      const end = await this.planner.segmentEnd(this.#buffer.subarray(0, this.#length), start, start, ended);
      if (end === undefined) return;
      const used = end - start;
      await this.consume({ start, end }, this.#buffer.subarray(0, used));
      this.#buffer.copyWithin(0, used, this.#length);
      this.#length -= used;
      this.#bufferStart = end;
    }
  }
}
