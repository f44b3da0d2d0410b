/**
 * `decodeAudio(bytes)`: any supported audio file -> Float32 PCM channels. The format is sniffed
 * from the bytes; decoding runs on a worker thread with a deadline, so neither a long file nor a
 * corrupt one blocks the event loop or hangs the caller.
 * @module
 */
import { availableParallelism } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DecodeWorkerPool, type ChunkConsumer } from './decode/worker-pool.js';
import { sniffFormat, type AudioFormat } from './decode/sniff.js';
import { AudioDecodeError } from './errors.js';
import { resolveDecodeOptions, type DecodeOptions } from './options.js';
import type { DecodedOutput, DecodeRequest, StreamSummary } from './decode/worker-protocol.js';
import type { AudioWarning } from '@e2v/core';

/** Decoded audio, at the file's own sample rate and channel count. */
export interface DecodedAudio {
  /** One Float32Array per channel, all the same length, scaled like `torchaudio.load` (see pcm.ts). */
  channels: Float32Array[];
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Format recognised from the bytes (a Result's `audio.format`). */
  format: AudioFormat;
  /** Length in seconds (samples per channel / sample rate). */
  durationS: number;
  /** What was lost while decoding (a cut file, damaged frames); empty for clean audio. */
  warnings: AudioWarning[];
}

let pool: DecodeWorkerPool | undefined;

/** The shared pool: up to 2–4 workers depending on the cores, idle ones stopped after 30 s. */
function sharedPool(): DecodeWorkerPool {
  pool ??= new DecodeWorkerPool({ maxWorkers: Math.min(4, Math.max(2, availableParallelism() - 1)), idleTimeoutMs: 30_000 });
  return pool;
}

/**
 * [async] Decodes an audio file held in memory: WAV (PCM 8/16/24/32-bit, float 32/64-bit,
 * µ-law, A-law, WAVE_FORMAT_EXTENSIBLE, RF64), MP3 (and MP2), AAC (ADTS) and M4A (AAC, ALAC),
 * FLAC, Ogg (Vorbis, Opus, FLAC), WebM and Matroska (Opus, Vorbis, ...). The format is taken
 * from the content, never from a file name.
 *
 * @param bytes the whole file; copied for the decoder a slice per event-loop turn, so leave it
 *   unchanged until the promise settles
 * @param options limits (see {@link DecodeOptions})
 * @returns channels, sample rate, format, duration, and warnings: a file cut short or with frames
 *   the decoder skipped is decoded as far as it goes, and says so (see {@link AudioWarning})
 * @throws (as a rejected promise) TypeError / RangeError for a wrong `bytes` type or bad options;
 *   {@link AudioDecodeError} with a stable `code`: EMPTY, CORRUPT, UNSUPPORTED (naming what was
 *   found), TOO_LONG, NO_CHANNELS, SAMPLE_RATE, TIMEOUT, DECODER_CRASHED
 * @example
 * const { channels, sampleRate, format } = await decodeAudio(await readFile('speech.mp3'));
 */
export async function decodeAudio(bytes: Uint8Array | ArrayBuffer, options?: DecodeOptions): Promise<DecodedAudio> {
  const { format, decoded } = await decodeOnWorker(bytes, options, 'channels');
  if (decoded.output !== 'channels') throw new Error('decode worker: replied with the wrong output');
  const { channels, sampleRate, warnings } = decoded;
  return { channels, sampleRate, format, durationS: channels[0]!.length / sampleRate, warnings };
}

/** The end of a streamed decode (see {@link streamAudio16k}). */
export interface StreamedAudio extends StreamSummary {
  /** Format recognised from the bytes. */
  format: AudioFormat;
}

/**
 * [async] Like {@link decodeAudio}, but the worker downmixes and resamples to 16 kHz mono as it
 * decodes and hands the samples over in chunks: a long file never sits in memory at its own
 * rate and channel count, nor (when `onChunk` keeps nothing) whole at all. The decoder runs at
 * most two chunks (`STREAM_WINDOW`) ahead of `onChunk`. Internal to the engine.
 * @param onChunk takes each chunk in order; a thrown error stops decoding and rejects with it
 * @returns what the source was once the last chunk is consumed
 */
export async function streamAudio16k(bytes: Uint8Array | ArrayBuffer, options: DecodeOptions | undefined, onChunk: ChunkConsumer): Promise<StreamedAudio> {
  const { format, decoded } = await decodeOnWorker(bytes, options, 'stream16k', onChunk);
  if (decoded.output !== 'stream16k') throw new Error('decode worker: replied with the wrong output');
  const { source, warnings, decodeMs, resampleMs } = decoded;
  return { source, warnings, decodeMs, resampleMs, format };
}

/** Checks the input and limits, sniffs the format, and decodes on the shared worker pool. */
async function decodeOnWorker(
  bytes: Uint8Array | ArrayBuffer,
  options: DecodeOptions | undefined,
  output: DecodeRequest['output'],
  onChunk?: ChunkConsumer,
): Promise<{ format: AudioFormat; decoded: DecodedOutput }> {
  const view = toBytes(bytes);
  const { maxBytes, maxDurationS, timeoutMs } = resolveDecodeOptions(options);
  if (view.length === 0) throw new AudioDecodeError('E2V_ERR_AUDIO_EMPTY', 'The audio input is empty (0 bytes)');
  if (view.length > maxBytes) {
    throw new AudioDecodeError('E2V_ERR_AUDIO_TOO_LONG', `The audio input is ${view.length} bytes, more than the limit of ${maxBytes} bytes`);
  }
  const sniffed = sniffFormat(view);
  if (sniffed.format === undefined) {
    throw new AudioDecodeError('E2V_ERR_AUDIO_UNSUPPORTED', sniffed.unsupported);
  }
  const { format } = sniffed;
  const owned = await copyInSlices(view);
  const decoded = await sharedPool().run({ format, bytes: owned, maxDurationS, output }, timeoutMs, onChunk);
  return { format, decoded };
}

/** Bytes copied per turn of the event loop (a few milliseconds here, page faults included). */
const COPY_SLICE = 1 << 20;

/**
 * A private copy of the input for the worker (which takes ownership of it), made a slice at a
 * time: the first touch of fresh memory costs ~3 ms/MB, too long to do 100 MB in one go.
 */
async function copyInSlices(bytes: Uint8Array): Promise<Uint8Array> {
  const copy = new Uint8Array(bytes.length);
  for (let at = 0; at < bytes.length; at += COPY_SLICE) {
    if (at > 0) await nextTurn();
    copy.set(bytes.subarray(at, at + COPY_SLICE), at);
  }
  return copy;
}

function toBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  const got = bytes === null ? 'null' : ArrayBuffer.isView(bytes) ? `a ${bytes.constructor.name}` : `a ${typeof bytes}`;
  throw new TypeError(`Expected a Uint8Array, Buffer or ArrayBuffer for bytes but received ${got}`);
}
