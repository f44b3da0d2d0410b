/**
 * The text of result.json: the Result indented by two spaces, except the frame series, whose
 * `start_s` is one line and whose score rows are one line each. An hour of frames (180,000 rows
 * of 9 scores) is then ~35 MB instead of ~100 MB with every number on a line of its own, and
 * still diffs and greps row by row.
 * @module
 */
import type { Result } from '@e2v/core';

/** Stands in for the frame series while the rest is indented by JSON.stringify. */
const FRAMES_MARK = '\u0000e2v-frames\u0000';

/** result.json's text (ending in a newline); `JSON.parse` of it equals the Result. */
export function formatResultJson(result: Result): string {
  const { frames } = result;
  if (frames === null) return `${JSON.stringify(result, null, 2)}\n`;
  const text = JSON.stringify({ ...result, frames: FRAMES_MARK }, null, 2);
  const rows = frames.scores.map((row) => `      ${JSON.stringify(row)}`).join(',\n');
  const series = `{\n    "rate": ${JSON.stringify(frames.rate)},\n    "window_s": ${JSON.stringify(frames.window_s)},\n    "start_s": ${JSON.stringify(frames.start_s)},\n    "scores": [${rows === '' ? '' : `\n${rows}\n    `}]\n  }`;
  // the first occurrence is the frames field (it comes before any field a plugin could add)
  return `${text.replace(JSON.stringify(FRAMES_MARK), () => series)}\n`;
}
