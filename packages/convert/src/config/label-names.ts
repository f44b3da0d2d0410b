/**
 * model.json's `zh` of a label: the name the original WebUI's guide uses for the nine emotion2vec+
 * keys (`angry` is 愤怒 where tokens.txt says 生气), tokens.txt's Chinese word for any other key.
 * The engine's display table (engine/src/result/labels.ts) holds the same names and its tests
 * check a converted model.json against it: this package sits below the engine and cannot import
 * it (the engine's tests convert models with it).
 * @module
 */
import type { ModelLabel } from './types.js';

const GUIDE_ZH: ReadonlyMap<string, string> = new Map([
  ['angry', '愤怒'],
  ['disgusted', '厌恶'],
  ['fearful', '恐惧'],
  ['happy', '快乐'],
  ['neutral', '中性'],
  ['other', '其他'],
  ['sad', '悲伤'],
  ['surprised', '惊讶'],
  ['unknown', '未知'],
]);

/**
 * The label as model.json lists it: key, Chinese name (see the module docs) and the tokens.txt line.
 * @example
 * manifestLabel({ key: 'angry', zh: '生气', token: '生气/angry' }); // { key: 'angry', zh: '愤怒', token: '生气/angry' }
 */
export function manifestLabel(label: ModelLabel): ModelLabel {
  return { key: label.key, zh: GUIDE_ZH.get(label.key) ?? label.zh, token: label.token };
}
