/**
 * The audio warnings the decoders give (the {@link AudioWarning} type is @e2v/core's, with the
 * Result): the input was decoded, but not all of it.
 * @module
 */
import type { AudioWarning } from '@e2v/core';

/**
 * `E2V_WARN_AUDIO_TRUNCATED`.
 * @param format the format recognised (`mp3`, `wav`, ...)
 * @param detail what is missing, e.g. "the data chunk declares 32000 bytes but the file holds 16000"
 */
export function truncatedWarning(format: string, detail: string): AudioWarning {
  return { code: 'E2V_WARN_AUDIO_TRUNCATED', message: `The ${format} file is truncated: ${detail}; only the audio before the cut was analyzed` };
}

/**
 * `E2V_WARN_AUDIO_DAMAGED_FRAMES`.
 * @param format the format recognised
 * @param details what was found, each a clause (e.g. "2 pages of 40 fail their checksum")
 */
export function damagedWarning(format: string, details: readonly string[]): AudioWarning {
  return { code: 'E2V_WARN_AUDIO_DAMAGED_FRAMES', message: `The ${format} file has damaged data: ${details.join('; ')}; the audio that decoded was analyzed` };
}

/**
 * The clause of {@link damagedWarning} for the errors a decoder library reported.
 * @param count how many errors it reported
 * @param first the first one's message, as the library wrote it
 */
export function decoderErrorsDetail(count: number, first: string): string {
  return `the decoder reported ${count === 1 ? 'a frame' : `${count} frames`} it could not decode (first: ${first.trim()})`;
}
