/**
 * Argument checks run in TS before any native call. Wrong types throw
 * TypeError, out-of-range values RangeError; every message names the argument.
 * @module
 */

/** Highest sample rate accepted anywhere (Hz). */
export const MAX_SAMPLE_RATE = 1_000_000;

/** Describes a received value for an error message: "a number (NaN)", "an Array", "null". */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an Array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 40))})`;
  return `a ${typeof value} (${String(value)})`;
}

/** Throws TypeError unless `value` is a Float32Array. */
export function expectFloat32Array(name: string, value: unknown): asserts value is Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new TypeError(`Expected a Float32Array for ${name} but received ${describe(value)}`);
  }
}

/** Throws RangeError naming the first NaN or infinite sample of `samples`. */
export function expectFiniteSamples(name: string, samples: Float32Array): void {
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (v - v !== 0) {
      throw new RangeError(`Expected finite values in ${name} but ${name}[${i}] is ${v}`);
    }
  }
}

/** Throws unless `value` is a finite number in [min, max] (an integer when `integer`). */
export function expectNumberInRange(name: string, value: unknown, min: number, max: number, integer = false): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`Expected a number for ${name} but received ${describe(value)}`);
  }
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new RangeError(`Expected ${kind} in [${min}, ${max}] for ${name} but received ${value}`);
  }
}

/** Throws unless `value` is a sample rate: an integer in [1, MAX_SAMPLE_RATE]. */
export function expectSampleRate(name: string, value: unknown): asserts value is number {
  expectNumberInRange(name, value, 1, MAX_SAMPLE_RATE, true);
}

/** Throws TypeError unless `value` is a boolean. */
export function expectBoolean(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`Expected a boolean for ${name} but received ${describe(value)}`);
  }
}

/** Throws unless `value` is one of `allowed` (TypeError for a non-string, RangeError otherwise). */
export function expectOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string') {
    throw new TypeError(`Expected a string for ${name} but received ${describe(value)}`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`Expected one of ${allowed.map((a) => `'${a}'`).join(', ')} for ${name} but received '${value}'`);
  }
}

/**
 * Throws TypeError unless `value` is undefined or a plain object whose keys are
 * all in `known`; an unknown key is named (misspellings never pass silently).
 */
export function expectOptionsObject(name: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`Expected an options object for ${name} but received ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`Unknown option '${key}' in ${name}; known options: ${known.join(', ')}`);
    }
  }
  return value as Record<string, unknown>;
}
