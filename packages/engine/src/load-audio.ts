/**
 * `loadAudio16k(bytes)`: what the emotion2vec+ reference feeds its model. Like FunASR's loader
 * (`torchaudio.load`, `mean(0)` over channels, `torchaudio.transforms.Resample(sr, 16000)`):
 * decode -> mono (native `downmix`, the mean of the channels) -> native streaming `Resampler`
 * to 16 kHz (skipped when the file already is 16 kHz), all on the decode worker, chunk by chunk
 * as the decoder produces audio.
 * @module
 */
import { streamAudio16k } from './decode-audio.js';
import { concatSamples } from './decode/pcm-sink.js';
import type { AudioFormat } from './decode/sniff.js';
import type { AudioWarning } from '@e2v/core';
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
    /** What was lost while decoding (a cut file, damaged frames); empty for clean audio. */
    warnings: AudioWarning[];
  };
  /** Wall-clock time of each step (a Result's `timings_ms.decode` / `.resample`). */
  timingsMs: {
    /** Decoding on the worker thread, including the queue and the copy in. */
    decode: number;
    /** Downmix and resampling (interleaved with decoding on the worker). */
    resample: number;
  };
}

/**
 * [async] Decodes an audio file and converts it to mono 16 kHz float32, exactly as the
 * emotion2vec+ reference pipeline loads audio (integer PCM scaled as by `torchaudio.load`,
 * channel mean, torchaudio-compatible windowed-sinc resampling). Nothing runs long on the
 * calling thread: decoding, downmixing and resampling all run on a decode worker.
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
  const chunks: Float32Array[] = [];
  const streamed = await streamAudio16k(bytes, options, (chunk) => {
    chunks.push(chunk);
  });
  const samples = concatSamples(chunks);
  const total = performance.now() - t0;
  const { source } = streamed;
  return {
    samples,
    sampleRate: MODEL_SAMPLE_RATE,
    source: {
      format: streamed.format,
      sampleRate: source.sampleRate,
      channels: source.channels,
      durationS: source.frames / source.sampleRate,
      warnings: streamed.warnings,
    },
    timingsMs: { decode: total - streamed.resampleMs, resample: streamed.resampleMs },
  };
}
