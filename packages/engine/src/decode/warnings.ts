/**
 * Audio warnings: the input was decoded, but not all of it. A Result lists them in
 * `audio.warnings` (an empty list for clean audio), and they are catalogued in docs/errors.md.
 * @module
 */

/**
 * Stable codes of {@link AudioWarning}, `E2V_WARN_AUDIO_<WHAT>`:
 * - `E2V_WARN_AUDIO_TRUNCATED`: the file ends before its container says it does (a cut
 *   download or an interrupted recording); the audio present was analyzed.
 * - `E2V_WARN_AUDIO_DAMAGED_FRAMES`: part of the file is damaged: frames the decoder reported it
 *   could not decode, data between frames that is not audio, pages failing their checksum, or a
 *   decoder that stopped early; the audio that decoded was analyzed.
 */
export const AUDIO_WARNING_CODES = ['E2V_WARN_AUDIO_TRUNCATED', 'E2V_WARN_AUDIO_DAMAGED_FRAMES'] as const;

/** One of {@link AUDIO_WARNING_CODES}. */
export type AudioWarningCode = (typeof AUDIO_WARNING_CODES)[number];

/** A loss found while decoding: what happened, in a stable code and a readable message. */
export interface AudioWarning {
  code: AudioWarningCode;
  message: string;
}

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
