/**
 * Limits and defaults of the decoding layer.
 * @module
 */

/** Highest sample rate accepted (Hz), the same bound `@e2v/native` puts on its inputs. */
export const MAX_SAMPLE_RATE = 1_000_000;

/** Default `maxBytes`: 256 MiB of input. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Default `maxDurationS`: one hour of audio. */
export const DEFAULT_MAX_DURATION_S = 3600;

/** Default `timeoutMs`: two minutes per decode (a one-hour MP3 decodes in well under that). */
export const DEFAULT_TIMEOUT_MS = 120_000;
