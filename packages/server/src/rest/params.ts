/**
 * Query parameters parsed by their specs: booleans (`true/false/1/0/yes/no/on/off`), enums and
 * numbers within their range; anything else is a 400 naming the parameter. Unknown parameters are refused too, so a
 * misspelling never passes silently.
 * @module
 */
import { HttpError } from '../errors.js';
import { parseFormBoolean } from '../http/form-boolean.js';
import type { QueryParam } from './spec.js';

type Parsed<T extends Record<string, QueryParam>> = {
  [K in keyof T]: T[K] extends { type: 'boolean' }
    ? boolean
    : T[K] extends { type: 'number' }
      ? number
      : T[K] extends { values: readonly (infer V)[] }
        ? V
        : never;
};

/**
 * Parses `values` (query and form fields) by `specs`.
 * @throws HttpError 400 `E2V_ERR_HTTP_BAD_PARAM`
 */
export function parseParams<T extends Record<string, QueryParam>>(specs: T, values: Record<string, string>): Parsed<T> {
  const parsed: Record<string, unknown> = {};
  for (const key of Object.keys(values)) {
    if (!(key in specs)) throw new HttpError(400, 'E2V_ERR_HTTP_BAD_PARAM', `Unknown parameter '${key.slice(0, 50)}'; known: ${Object.keys(specs).join(', ')}`);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const raw = values[name];
    if (raw === undefined || raw === '') {
      parsed[name] = spec.default;
    } else if (spec.type === 'boolean') {
      const value = parseFormBoolean(raw);
      if (value === undefined) throw new HttpError(400, 'E2V_ERR_HTTP_BAD_PARAM', `Parameter '${name}' must be true or false, got '${raw.slice(0, 50)}'`);
      parsed[name] = value;
    } else if (spec.type === 'number') {
      const value = Number(raw);
      if (raw.trim() === '' || !(value >= spec.minimum && value <= spec.maximum)) {
        throw new HttpError(
          400,
          'E2V_ERR_HTTP_BAD_PARAM',
          `Parameter '${name}' must be a number in [${spec.minimum}, ${spec.maximum}], got '${raw.slice(0, 50)}'`,
        );
      }
      parsed[name] = value;
    } else {
      if (!spec.values.includes(raw))
        throw new HttpError(400, 'E2V_ERR_HTTP_BAD_PARAM', `Parameter '${name}' must be one of ${spec.values.join(', ')}, got '${raw.slice(0, 50)}'`);
      parsed[name] = raw;
    }
  }
  return parsed as Parsed<T>;
}
