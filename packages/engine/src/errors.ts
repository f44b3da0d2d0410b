/**
 * Typed errors of the audio decoding layer. Every failure to turn bytes into samples is an
 * {@link AudioDecodeError} with one of the stable codes in {@link AUDIO_ERROR_CODES};
 * programmer mistakes (wrong argument types, bad options) are TypeError / RangeError.
 * @module
 */
import { E2vError } from '@e2v/native';

/**
 * Stable codes of {@link AudioDecodeError}, `E2V_ERR_AUDIO_<WHAT>`:
 * - `E2V_ERR_AUDIO_EMPTY`: zero bytes, or a well-formed file that holds no samples.
 * - `E2V_ERR_AUDIO_CORRUPT`: the format was recognised but its data cannot be decoded
 *   (truncated header, bad chunk layout, a decoder that errors or produces nothing).
 * - `E2V_ERR_AUDIO_UNSUPPORTED`: the bytes are not a format or codec this layer decodes;
 *   the message names what was found (e.g. "WAV format tag 0x0011 (IMA ADPCM)").
 * - `E2V_ERR_AUDIO_TOO_LONG`: the input is larger than `maxBytes` or longer than `maxDurationS`.
 * - `E2V_ERR_AUDIO_NO_CHANNELS`: the file declares or decodes to zero channels.
 * - `E2V_ERR_AUDIO_SAMPLE_RATE`: the sample rate is zero or above 1 MHz.
 * - `E2V_ERR_AUDIO_TIMEOUT`: decoding did not finish within `timeoutMs`; the decoder was stopped.
 * - `E2V_ERR_AUDIO_DECODER_CRASHED`: the decoder thread died (out of memory, WASM trap outside
 *   the decoder's own error handling, or a failure to start).
 */
export const AUDIO_ERROR_CODES = [
  'E2V_ERR_AUDIO_EMPTY',
  'E2V_ERR_AUDIO_CORRUPT',
  'E2V_ERR_AUDIO_UNSUPPORTED',
  'E2V_ERR_AUDIO_TOO_LONG',
  'E2V_ERR_AUDIO_NO_CHANNELS',
  'E2V_ERR_AUDIO_SAMPLE_RATE',
  'E2V_ERR_AUDIO_TIMEOUT',
  'E2V_ERR_AUDIO_DECODER_CRASHED',
] as const;

/** One of {@link AUDIO_ERROR_CODES}. */
export type AudioErrorCode = (typeof AUDIO_ERROR_CODES)[number];

/**
 * Audio bytes could not be decoded. `code` says why (see {@link AUDIO_ERROR_CODES}); `format`
 * is the container/codec that was recognised, when one was.
 */
export class AudioDecodeError extends E2vError {
  /** Stable code, one of {@link AUDIO_ERROR_CODES}. */
  declare readonly code: AudioErrorCode;
  /** Format recognised from the bytes (e.g. `"wav"`, `"mp3"`), or undefined when none was. */
  readonly format: string | undefined;

  /**
   * @param code stable code
   * @param message human-readable message naming what was found
   * @param options `format` recognised, and the underlying `cause`
   */
  constructor(code: AudioErrorCode, message: string, options?: { format?: string | undefined; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.format = options?.format;
  }
}
Object.defineProperty(AudioDecodeError.prototype, 'name', { value: 'AudioDecodeError' });

/** True when `code` is one of {@link AUDIO_ERROR_CODES} (used when errors cross a thread boundary). */
export function isAudioErrorCode(code: unknown): code is AudioErrorCode {
  return (AUDIO_ERROR_CODES as readonly unknown[]).includes(code);
}
