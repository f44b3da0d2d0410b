/**
 * Options of {@link decodeAudio} / {@link loadAudio16k}, checked strictly: an unknown key (a
 * misspelling) is a TypeError, an out-of-range value a RangeError naming the option.
 * @module
 */
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_DURATION_S, DEFAULT_TIMEOUT_MS } from './decode/limits.js';

/** Limits applied while decoding. */
export interface DecodeOptions {
  /** Largest input accepted, in bytes (default 256 MiB). Larger input fails with E2V_ERR_AUDIO_TOO_LONG before any decoding. */
  maxBytes?: number;
  /**
   * Longest audio accepted, in seconds (default 3600). Checked before decoding from the length
   * the container declares (WAV header, MP3 frames, FLAC STREAMINFO, Ogg granule, M4A mvhd, WebM
   * Duration; allowing 0.5 s over it for encoder padding), and always while decoding,
   * so memory stays bounded. E2V_ERR_AUDIO_TOO_LONG.
   */
  maxDurationS?: number;
  /**
   * Deadline for one decode in milliseconds (default 120000), counted from when a decode worker
   * takes the job. Past it the worker is terminated and the call fails with E2V_ERR_AUDIO_TIMEOUT.
   */
  timeoutMs?: number;
}

const KNOWN: readonly (keyof DecodeOptions)[] = ['maxBytes', 'maxDurationS', 'timeoutMs'];
/** Largest delay setTimeout accepts. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an Array';
  if (typeof value === 'object') return `an object of type ${(value as object).constructor?.name ?? 'Object'}`;
  return `a ${typeof value} (${String(value)})`;
}

function positive(name: string, value: unknown, max: number, integer: boolean): number {
  if (typeof value !== 'number') throw new TypeError(`Expected a number for ${name} but received ${describe(value)}`);
  if (!(value > 0 && value <= max) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`Expected ${integer ? 'an integer' : 'a number'} in (0, ${max}] for ${name} but received ${value}`);
  }
  return value;
}

/** Checks `options` and fills in the defaults. Throws TypeError / RangeError naming the option. */
export function resolveDecodeOptions(options: unknown): Required<DecodeOptions> {
  if (options === undefined) {
    return { maxBytes: DEFAULT_MAX_BYTES, maxDurationS: DEFAULT_MAX_DURATION_S, timeoutMs: DEFAULT_TIMEOUT_MS };
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`Expected an options object but received ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new TypeError(`Unknown option '${key}'; known options: ${KNOWN.join(', ')}`);
    }
  }
  const o = options as DecodeOptions;
  return {
    maxBytes: o.maxBytes === undefined ? DEFAULT_MAX_BYTES : positive('maxBytes', o.maxBytes, Number.MAX_SAFE_INTEGER, true),
    maxDurationS: o.maxDurationS === undefined ? DEFAULT_MAX_DURATION_S : positive('maxDurationS', o.maxDurationS, Number.MAX_SAFE_INTEGER, false),
    timeoutMs: o.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : positive('timeoutMs', o.timeoutMs, MAX_TIMEOUT_MS, true),
  };
}
