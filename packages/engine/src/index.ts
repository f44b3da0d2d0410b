/**
 * `@e2v/engine`: audio decoding and 16 kHz loading (and, later, inference) for e2v.
 * Names and shapes follow docs/design.md.
 * @module
 */
export { decodeAudio, type DecodedAudio } from './decode-audio.js';
export { loadAudio16k, MODEL_SAMPLE_RATE, type LoadedAudio } from './load-audio.js';
export type { DecodeOptions } from './options.js';
export type { AudioFormat } from './decode/sniff.js';
export { AudioDecodeError, AUDIO_ERROR_CODES, type AudioErrorCode } from './errors.js';
