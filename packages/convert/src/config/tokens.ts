/**
 * `tokens.txt` (one label per line, in logits order) to {@link WrittenLabel}s,
 * and FunASR's `unuse*` label masking.
 * @module
 */
import type { WrittenLabel } from '@e2v/core';
import { ConfigError } from '../errors.js';

/** Token FunASR uses for the "unknown" class; its key is `unknown`. */
const UNKNOWN_TOKEN = '<unk>';

/** Prefix of placeholder labels that FunASR masks (see {@link maskedLabelIndices}). */
const UNUSED_PREFIX = 'unuse';

/**
 * Turns one token into a label: `生气/angry` -> key `angry`, zh `生气`;
 * `<unk>` -> key `unknown`; a token without `/` (e.g. `unuse_0`) is its own key with an empty zh.
 */
function toLabel(token: string): WrittenLabel {
  if (token === UNKNOWN_TOKEN) return { key: 'unknown', zh: '', token };
  const slash = token.indexOf('/');
  if (slash < 0) return { key: token, zh: '', token };
  return { key: token.slice(slash + 1), zh: token.slice(0, slash), token };
}

/**
 * Parses `tokens.txt`. Like FunASR, each line is right-stripped, and a final
 * newline does not add a label; a leading BOM is dropped.
 * @param text the file's text
 * @returns labels in logits order
 * @throws ConfigError E2V_ERR_CONFIG_TOKENS for an empty file, an empty line, or two labels with the same key
 * @example
 * parseTokens('生气/angry\n<unk>'); // [{ key: 'angry', zh: '生气', token: '生气/angry' }, { key: 'unknown', zh: '', token: '<unk>' }]
 */
export function parseTokens(text: string): WrittenLabel[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new ConfigError('E2V_ERR_CONFIG_TOKENS', 'tokens.txt has no labels');
  const labels: WrittenLabel[] = [];
  const seen = new Map<string, number>();
  lines.forEach((line, index) => {
    const token = line.trimEnd();
    if (token === '') throw new ConfigError('E2V_ERR_CONFIG_TOKENS', `tokens.txt line ${index + 1} is empty`);
    const label = toLabel(token);
    const previous = seen.get(label.key);
    if (previous !== undefined) {
      throw new ConfigError('E2V_ERR_CONFIG_TOKENS', `tokens.txt lines ${previous + 1} and ${index + 1} both give the label key '${label.key}'`);
    }
    seen.set(label.key, index);
    labels.push(label);
  });
  return labels;
}

/**
 * Indices of the labels FunASR (>= 1.0.27) masks: tokens starting with `unuse`
 * (placeholders in the May-2024 release's tokens.txt). FunASR sets their
 * logits to -inf before the softmax and leaves them out of its result; the
 * converter offers this as an explicit option. With the current official
 * 9-label list the result is empty.
 * @param labels labels from {@link parseTokens}
 * @returns ascending indices into the logits
 */
export function maskedLabelIndices(labels: readonly WrittenLabel[]): number[] {
  return labels.flatMap((label, index) => (label.token.startsWith(UNUSED_PREFIX) ? [index] : []));
}
