/**
 * model.json's `zh` of a label: the name the original WebUI's guide uses for the nine emotion2vec+
 * keys (`angry` is 愤怒 where tokens.txt says 生气; the one table of them is @e2v/core's), tokens.txt's
 * Chinese word for any other key.
 * @module
 */
import { guideLabelNames, type WrittenLabel } from '@e2v/core';

/**
 * The label as model.json lists it: key, Chinese name (see the module docs) and the tokens.txt line.
 * @example
 * manifestLabel({ key: 'angry', zh: '生气', token: '生气/angry' }); // { key: 'angry', zh: '愤怒', token: '生气/angry' }
 */
export function manifestLabel(label: WrittenLabel): WrittenLabel {
  return { key: label.key, zh: guideLabelNames(label.key)?.zh ?? label.zh, token: label.token };
}
