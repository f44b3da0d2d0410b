/**
 * Assertions for BAD CALL / EXPECTED FAILURE test groups.
 * @module
 */
import { expect } from 'vitest';

/** Runs `fn` and returns what it threw; fails the test when it returns. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a throw, but the call returned');
}

/** Asserts that `fn` throws an error of class `name` whose message matches `message`. */
export function expectError(fn: () => unknown, name: 'TypeError' | 'RangeError', message: RegExp): void {
  const error = thrown(fn);
  expect(error.name, error.message).toBe(name);
  expect(error.message).toMatch(message);
}
