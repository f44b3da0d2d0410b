/**
 * Booleans as query strings, HTML forms and `curl -F` send them: `true`/`false`, `1`/`0`,
 * `yes`/`no`, `on`/`off` (a ticked checkbox sends `on`), in any case.
 * @module
 */

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * The boolean a form value stands for.
 * @param raw the value as sent
 * @returns true or false, or undefined when it is none of the words
 */
export function parseFormBoolean(raw: string): boolean | undefined {
  const lower = raw.toLowerCase();
  return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
}
