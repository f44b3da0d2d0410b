/**
 * Small checks for option objects: each failure is a TypeError / RangeError whose message names
 * the option by its path (`rules[0].when.above`), and unknown keys are rejected (a misspelt
 * option must not be silently ignored). The host turns them into `E2V_ERR_PLUGIN_OPTIONS`.
 * @module
 */

/** A short description of a value's type, for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * Checks that `value` is a plain object whose keys are all in `allowed`.
 * @param value the value to check
 * @param path its name in messages
 * @param allowed the keys it may have
 * @returns the object
 * @throws TypeError when it is not an object or has a key not in `allowed`
 */
export function checkObject(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Expected an object for ${path} but received ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new TypeError(`Unknown option ${path}.${key} (allowed: ${allowed.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

/**
 * Checks an array.
 * @param value the value to check
 * @param path its name in messages
 * @param minLength the fewest items allowed
 * @returns the array
 * @throws TypeError / RangeError
 */
export function checkArray(value: unknown, path: string, minLength = 0): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`Expected an array for ${path} but received ${describe(value)}`);
  if (value.length < minLength) throw new RangeError(`Expected at least ${minLength} item(s) in ${path}`);
  return value;
}

/**
 * Checks a non-empty string.
 * @param value the value to check
 * @param path its name in messages
 * @returns the string
 * @throws TypeError
 */
export function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`Expected a non-empty string for ${path} but received ${describe(value)}`);
  return value;
}

/** Bounds of {@link checkNumber}. */
export interface NumberBounds {
  min?: number;
  max?: number;
  /** Require an integer. */
  integer?: boolean;
}

/**
 * Checks a finite number within bounds.
 * @param value the value to check
 * @param path its name in messages
 * @param bounds inclusive `min` / `max`, `integer`
 * @returns the number
 * @throws TypeError / RangeError
 */
export function checkNumber(value: unknown, path: string, bounds: NumberBounds = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`Expected a finite number for ${path} but received ${describe(value)}`);
  if (bounds.integer === true && !Number.isInteger(value)) throw new RangeError(`Expected an integer for ${path} but received ${value}`);
  if (bounds.min !== undefined && value < bounds.min) throw new RangeError(`Expected ${path} >= ${bounds.min} but received ${value}`);
  if (bounds.max !== undefined && value > bounds.max) throw new RangeError(`Expected ${path} <= ${bounds.max} but received ${value}`);
  return value;
}

/**
 * Checks a boolean.
 * @param value the value to check
 * @param path its name in messages
 * @returns the boolean
 * @throws TypeError
 */
export function checkBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`Expected a boolean for ${path} but received ${describe(value)}`);
  return value;
}

/**
 * Applies `check` to `value` unless it is undefined, in which case `fallback` is returned.
 * @param value the value to check
 * @param fallback what an absent value means
 * @param check the check of a present value
 * @returns the checked value or the fallback
 */
export function orDefault<T, F = T>(value: unknown, fallback: F, check: (v: unknown) => T): T | F {
  return value === undefined ? fallback : check(value);
}
