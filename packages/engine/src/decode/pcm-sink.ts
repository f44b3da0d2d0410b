/**
 * Where decoded PCM goes, chunk by chunk, inside a decode worker: kept as channels at the file's
 * own rate (`decodeAudio`), or downmixed and resampled to 16 kHz mono as it arrives and passed
 * on at once (`loadAudio16k` and the engine), so that a long file never sits in memory at its
 * own rate and channel count: a one-hour 48 kHz stereo file is 1.4 GB of float32 channels.
 * @module
 */
import { downmix, Resampler } from '@e2v/native';
import type { RawAudio } from './codecs.js';

/** What a {@link Mono16kSink} saw, once the stream has ended. */
export interface Mono16kSource {
  /** The source's sample rate in Hz. */
  sampleRate: number;
  /** The source's channel count. */
  channels: number;
  /** The source's length in frames (samples per channel). */
  frames: number;
}

/** Takes decoded PCM one chunk at a time. */
export interface PcmSink {
  /**
   * The next chunk: one array per channel, all the same length, at `sampleRate` (the same for
   * every chunk). The arrays may be views a decoder reuses: a sink copies what it keeps. A
   * returned promise holds the decoder back until it settles (backpressure).
   */
  push(channels: readonly Float32Array[], sampleRate: number): void | Promise<void>;
}

/** The arrays one after the other, in one new array (the array itself when there is only one). */
export function concatSamples(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Keeps every channel at the file's own rate. */
export class ChannelsSink implements PcmSink {
  readonly #parts: Float32Array[][] = [];
  #frames = 0;
  #sampleRate = 0;

  push(channels: readonly Float32Array[], sampleRate: number): void {
    this.#sampleRate = sampleRate;
    this.#parts.push(channels.map((c) => c.slice()));
    this.#frames += channels[0]!.length;
  }

  /** The channels (fresh, separately owned arrays: safe to transfer); `channelCount` keeps the first ones. */
  result(channelCount: number): RawAudio {
    const channels = Array.from({ length: channelCount }, (_, c) => concatSamples(this.#parts.map((p) => p[c]!)));
    return { channels, sampleRate: this.#sampleRate };
  }
}

/**
 * Downmixes each chunk (the mean of its channels, as `@e2v/native` `downmix`), resamples it to
 * 16 kHz with a streaming `Resampler` (torchaudio parity: the same samples as resampling the
 * whole signal at once) and hands the 16 kHz mono samples to `emit`, keeping nothing.
 */
export class Mono16kSink implements PcmSink {
  /** The output rate. */
  static readonly RATE = 16_000;
  #resampler: Resampler | undefined;
  #sampleRate = 0;
  #channels = 0;
  #frames = 0;
  #ms = 0;

  /**
   * @param emit takes each fresh array of 16 kHz samples (owned by the callee); the promise it
   *   returns holds the decoder back
   */
  constructor(private readonly emit: (samples: Float32Array) => void | Promise<void>) {}

  async push(channels: readonly Float32Array[], sampleRate: number): Promise<void> {
    const t0 = performance.now();
    if (this.#sampleRate === 0) {
      this.#sampleRate = sampleRate;
      this.#channels = channels.length;
      if (sampleRate !== Mono16kSink.RATE) this.#resampler = new Resampler(sampleRate, Mono16kSink.RATE);
    }
    const mono = channels.length === 1 ? channels[0]! : downmix([...channels]);
    this.#frames += mono.length;
    const out = this.#resampler === undefined ? mono.slice() : this.#resampler.process(mono);
    this.#ms += performance.now() - t0;
    if (out.length > 0) await this.emit(out);
  }

  /**
   * Ends the signal: emits the resampler's tail.
   * @param channelCount the source's channel count to report (mpg123 returns mono as two equal channels)
   * @returns what the source was, and the time spent downmixing and resampling (ms)
   */
  async end(channelCount: number): Promise<{ source: Mono16kSource; resampleMs: number }> {
    const t0 = performance.now();
    const tail = this.#resampler?.flush();
    this.#ms += performance.now() - t0;
    if (tail !== undefined && tail.length > 0) await this.emit(tail);
    return { source: { sampleRate: this.#sampleRate, channels: Math.min(channelCount, this.#channels), frames: this.#frames }, resampleMs: this.#ms };
  }
}
