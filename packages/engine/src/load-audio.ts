/**
 * `loadAudio16k(bytes)`: what the emotion2vec+ reference feeds its model. Like FunASR's loader
 * (`torchaudio.load`, `mean(0)` over channels, `torchaudio.transforms.Resample(sr, 16000)`):
 * decode -> mono (native `downmix`, the mean of the channels) -> native `resampleAsync` to
 * 16 kHz (skipped when the file already is 16 kHz).
 * @module
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { downmix, resampleAsync } from '@e2v/native';
import { decodeAudio } from './decode-audio.js';
import type { AudioFormat } from './decode/sniff.js';
import type { DecodeOptions } from './options.js';

/** The model's input rate. */
export const MODEL_SAMPLE_RATE = 16_000;

/** Mono 16 kHz audio ready for the model, and what the file was. */
export interface LoadedAudio {
  /** Mono samples at 16 kHz. */
  samples: Float32Array;
  /** Always 16000. */
  sampleRate: typeof MODEL_SAMPLE_RATE;
  /** The decoded file (a Result's `audio` field). */
  source: {
    /** Format recognised from the bytes. */
    format: AudioFormat;
    /** The file's sample rate in Hz. */
    sampleRate: number;
    /** The file's channel count. */
    channels: number;
    /** The file's duration in seconds. */
    durationS: number;
  };
  /** Wall-clock time of each step (a Result's `timings_ms.decode` / `.resample`). */
  timingsMs: {
    /** Decoding on the worker thread, including the queue. */
    decode: number;
    /** Downmix and resampling. */
    resample: number;
  };
}

/** Frames per native downmix call: a few milliseconds of work, so the event loop keeps turning. */
const DOWNMIX_CHUNK = 1 << 18;

/** Mean of the channels, computed in slices with a turn of the event loop between them. */
async function toMono(channels: readonly Float32Array[]): Promise<Float32Array> {
  if (channels.length === 1) return channels[0]!;
  const frames = channels[0]!.length;
  if (frames <= DOWNMIX_CHUNK) return downmix(channels);
  const mono = new Float32Array(frames);
  for (let start = 0; start < frames; start += DOWNMIX_CHUNK) {
    mono.set(downmix(channels.map((c) => c.subarray(start, start + DOWNMIX_CHUNK))), start);
    await nextTurn();
  }
  return mono;
}

/**
 * [async] Decodes an audio file and converts it to mono 16 kHz float32, exactly as the
 * emotion2vec+ reference pipeline loads audio (integer PCM scaled as by `torchaudio.load`,
 * channel mean, torchaudio-compatible windowed-sinc resampling). Nothing runs long on the
 * calling thread: decoding is on a worker, resampling on the native thread pool.
 *
 * @param bytes the whole file (any format {@link decodeAudio} reads)
 * @param options decoding limits (see {@link DecodeOptions})
 * @returns the 16 kHz mono samples, what the file was, and timings
 * @throws (as a rejected promise) everything {@link decodeAudio} throws
 * @example
 * const { samples, source } = await loadAudio16k(await readFile('call.webm'));
 */
export async function loadAudio16k(bytes: Uint8Array | ArrayBuffer, options?: DecodeOptions): Promise<LoadedAudio> {
  const t0 = performance.now();
  const decoded = await decodeAudio(bytes, options);
  const t1 = performance.now();
  const mono = await toMono(decoded.channels);
  const samples = decoded.sampleRate === MODEL_SAMPLE_RATE ? mono : await resampleAsync(mono, decoded.sampleRate, MODEL_SAMPLE_RATE);
  const t2 = performance.now();
  return {
    samples,
    sampleRate: MODEL_SAMPLE_RATE,
    source: { format: decoded.format, sampleRate: decoded.sampleRate, channels: decoded.channels.length, durationS: decoded.durationS },
    timingsMs: { decode: t1 - t0, resample: t2 - t1 },
  };
}
