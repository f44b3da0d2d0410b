/**
 * Messages between the main thread and a decode worker. Errors cross the thread boundary as
 * plain `{ code, message, format }` and are rebuilt as {@link AudioDecodeError} on arrival.
 * @module
 */
import { AudioDecodeError, isAudioErrorCode, type AudioErrorCode } from '../errors.js';
import type { RawAudio } from './codecs.js';
import type { Mono16kSource } from './pcm-sink.js';
import type { AudioFormat } from './sniff.js';
import type { AudioWarning } from '@e2v/core';

/** Main thread -> worker: decode these bytes. */
export interface DecodeRequest {
  /** Job id, echoed in the reply. */
  id: number;
  /** Format found by sniffing. */
  format: AudioFormat;
  /** The encoded file (a copy owned by the worker). */
  bytes: Uint8Array;
  /** Duration limit checked while decoding. */
  maxDurationS: number;
  /**
   * `channels`: every channel at the file's rate, in the final reply (`decodeAudio`).
   * `stream16k`: 16 kHz mono in {@link DecodeChunk} messages as decoding goes, each acknowledged
   * with a {@link ChunkAck} (see pcm-sink.ts), then a final reply saying what the source was.
   */
  output: 'channels' | 'stream16k';
}

/** Chunks of a `stream16k` decode the main thread may hold unacknowledged; the decoder then waits. */
export const STREAM_WINDOW = 2;

/** Worker -> main thread: the next 16 kHz mono samples of a `stream16k` decode (transferred). */
export interface DecodeChunk {
  id: number;
  chunk: Float32Array;
}

/** Main thread -> worker: the oldest unacknowledged chunk of job `id` has been consumed. */
export interface ChunkAck {
  id: number;
  ack: true;
}

/** The end of a `stream16k` decode: what the source was, what was lost, and where the worker's time went. */
export interface StreamSummary {
  source: Mono16kSource;
  /** A cut file, damaged frames (empty for clean audio): they travel with the stream's end. */
  warnings: AudioWarning[];
  /** Decoding time in ms, excluding downmix, resampling and waits for acknowledgements. */
  decodeMs: number;
  /** Downmix and resampling time in ms. */
  resampleMs: number;
}

/** What a decode gives, per requested output (buffers are transferred, not copied). */
export type DecodedOutput = ({ output: 'channels'; warnings: AudioWarning[] } & RawAudio) | ({ output: 'stream16k' } & StreamSummary);

/** Worker -> main thread: the decoded audio. */
export type DecodeSuccess = { id: number; ok: true } & DecodedOutput;

/** Worker -> main thread: a typed failure. */
export interface DecodeFailure {
  id: number;
  ok: false;
  code: AudioErrorCode;
  message: string;
  format: string | undefined;
  /** The decoder trapped: its WASM state may be damaged, so the worker must not be reused. */
  recycle: boolean;
}

/** Either final reply. */
export type DecodeReply = DecodeSuccess | DecodeFailure;

/** Anything a decode worker posts. */
export type WorkerMessage = DecodeReply | DecodeChunk;

/**
 * True for what a WASM decoder throws when it traps or aborts (a `WebAssembly.RuntimeError`, or
 * Emscripten's `abort()`, which throws a non-Error value); false for the plain Errors its JS
 * wrapper throws on bad input before or after running WASM code.
 */
export function isDecoderTrap(thrown: unknown): boolean {
  return !(thrown instanceof Error) || thrown.name === 'RuntimeError'; // WebAssembly.RuntimeError
}

/** Builds the failure reply for anything thrown while decoding job `id`. */
export function failureReply(id: number, thrown: unknown): DecodeFailure {
  if (thrown instanceof AudioDecodeError) {
    const recycle = thrown.cause !== undefined && isDecoderTrap(thrown.cause);
    return { id, ok: false, code: thrown.code, message: thrown.message, format: thrown.format, recycle };
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { id, ok: false, code: 'E2V_ERR_AUDIO_CORRUPT', message: `decoding failed: ${message}`, format: undefined, recycle: true };
}

/** Rebuilds the typed error of a failure reply. */
export function errorFromReply(reply: DecodeFailure): AudioDecodeError {
  const code = isAudioErrorCode(reply.code) ? reply.code : 'E2V_ERR_AUDIO_DECODER_CRASHED';
  return new AudioDecodeError(code, reply.message, { format: reply.format });
}
