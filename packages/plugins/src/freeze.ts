/**
 * Deep freezing of the values plugins receive, so no plugin can change what another one sees.
 * @module
 */

/**
 * Freezes `value` and everything reachable from it, in place. Typed arrays cannot be frozen
 * and are left as they are.
 * @param value any value
 * @returns the same value
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * A deep-frozen copy of a JSON-like value (structured clone, then {@link deepFreeze}).
 * @param value the value to copy
 * @returns the frozen copy
 * @throws DataCloneError when the value holds functions or other uncloneable things
 */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}
