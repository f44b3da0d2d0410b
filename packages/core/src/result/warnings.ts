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
