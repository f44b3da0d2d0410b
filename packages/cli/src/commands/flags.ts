/**
 * Numeric command-line flags, checked once for every command: a bad value is a UsageError
 * (`--flag must be ..., not 'value'`, exit code 2).
 * @module
 */
import type { VariantRequest } from '@e2v/engine';
import { UsageError } from '../errors.js';

/**
 * A number flag.
 * @param value the raw value (undefined when the flag is absent)
 * @param flag its name, for the message
 * @param check whether a number is acceptable
 * @param expected what `check` accepts, in words
 * @returns the number, or undefined when absent
 */
export function numberFlag(value: string | undefined, flag: string, check: (n: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !check(n)) throw new UsageError(`${flag} must be ${expected}, not '${value}'`);
  return n;
}

/** An integer flag in [min, max] (see {@link numberFlag}). */
export function integerFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  return numberFlag(value, flag, (n) => Number.isInteger(n) && n >= min && n <= max, `an integer in [${min}, ${max}]`);
}

/**
 * The graph variant of `--variant fp32|int8|auto` (default `auto`), with `--int8` as the
 * short form of `--variant int8`.
 * @throws UsageError for another value, or `--int8` with a different `--variant`
 */
export function variantFlag(variant: string | undefined, int8: boolean | undefined): VariantRequest {
  if (variant !== undefined && variant !== 'fp32' && variant !== 'int8' && variant !== 'auto') {
    throw new UsageError(`--variant must be fp32, int8 or auto, not '${variant}'`);
  }
  if (int8 === true && variant !== undefined && variant !== 'int8') throw new UsageError(`--int8 contradicts --variant ${variant}`);
  return int8 === true ? 'int8' : (variant ?? 'auto');
}

/**
 * Default of `--max-duration-min` (serve, analyze): inputs longer than an hour are refused while
 * decoding, before the model spends time on them.
 */
export const DEFAULT_MAX_DURATION_MIN = 60;
