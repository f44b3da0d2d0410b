/**
 * Messages between the main thread and a decode worker. Errors cross the thread boundary as
 * plain `{ code, message, format }` and are rebuilt as {@link AudioDecodeError} on arrival.
 * @module
 */
import { AudioDecodeError, isAudioErrorCode, type AudioErrorCode } from '../errors.js';
import type { AudioFormat } from './sniff.js';

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
}

/** Worker -> main thread: the decoded audio (channel buffers are transferred). */
export interface DecodeSuccess {
  id: number;
  ok: true;
  channels: Float32Array[];
  sampleRate: number;
}

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

/** Either reply. */
export type DecodeReply = DecodeSuccess | DecodeFailure;

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
