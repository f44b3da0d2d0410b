/**
 * Alert conditions: which results raise an alert.
 *
 * - `{ "emotion": "angry" }`: the result's top emotion is `angry`.
 * - `{ "emotion": "angry", "above": 0.75 }`: the result's `angry` score is above 0.75.
 * - `{ "emotion": "angry", "above": 0.5, "forS": 3 }`: in a frame result, the frame score of
 *   `angry` stays above 0.5 for at least 3 s in a row (without `above`: `angry` is the top label
 *   of every frame for 3 s). Never true for an utterance result.
 * - `{ "all": [...] }`, `{ "any": [...] }`, `{ "not": {...} }`: boolean combinations.
 * @module
 */
import type { Result } from '@e2v/core';
import { checkArray, checkNumber, checkObject, checkString, describe } from '../../check.js';

/** A condition on one result. */
export type Condition = { emotion: string; above?: number; forS?: number } | { all: Condition[] } | { any: Condition[] } | { not: Condition };

/**
 * Checks a condition from the options.
 * @param raw the condition as configured
 * @param path its name in messages
 * @returns the condition
 * @throws TypeError / RangeError naming the bad part
 */
export function parseCondition(raw: unknown, path: string): Condition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TypeError(`Expected a condition object for ${path} but received ${describe(raw)}`);
  if ('all' in raw || 'any' in raw) {
    const key = 'all' in raw ? 'all' : 'any';
    const o = checkObject(raw, path, [key]);
    const items = checkArray(o[key], `${path}.${key}`, 1).map((c, i) => parseCondition(c, `${path}.${key}[${i}]`));
    return key === 'all' ? { all: items } : { any: items };
  }
  if ('not' in raw) return { not: parseCondition(checkObject(raw, path, ['not']).not, `${path}.not`) };
  const o = checkObject(raw, path, ['emotion', 'above', 'forS']);
  return {
    emotion: checkString(o.emotion, `${path}.emotion`),
    ...(o.above === undefined ? {} : { above: checkNumber(o.above, `${path}.above`, { min: 0, max: 1 }) }),
    ...(o.forS === undefined ? {} : { forS: checkNumber(o.forS, `${path}.forS`, { min: 0 }) }),
  };
}

/**
 * Evaluates a condition.
 * @param condition the condition
 * @param result the result
 * @returns whether it holds
 */
export function evaluate(condition: Condition, result: Readonly<Result>): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluate(c, result));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, result));
  if ('not' in condition) return !evaluate(condition.not, result);
  if (condition.forS !== undefined) return longestRunS(result, condition.emotion, condition.above) >= condition.forS;
  return condition.above === undefined ? result.emotion === condition.emotion : (result.scores[condition.emotion] ?? 0) > condition.above;
}

/**
 * The longest stretch, in seconds, of consecutive frames where `emotion` scores above `above`
 * (or, without `above`, is the frame's top label). 0 without frames or for an unknown label.
 */
function longestRunS(result: Readonly<Result>, emotion: string, above: number | undefined): number {
  const frames = result.frames;
  const label = Object.keys(result.scores).indexOf(emotion);
  if (frames === null || label < 0) return 0;
  const frameS = 1 / frames.rate;
  let longest = 0;
  let runStart: number | undefined;
  frames.scores.forEach((row, i) => {
    const score = row[label] ?? 0;
    const holds = above === undefined ? score === Math.max(...row) : score > above;
    if (!holds) {
      runStart = undefined;
      return;
    }
    runStart ??= frames.start_s[i]!;
    longest = Math.max(longest, frames.start_s[i]! + frameS - runStart);
  });
  return longest;
}
