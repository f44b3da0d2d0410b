/**
 * Display names of the emotion labels, the one table of them: for the nine emotion2vec+ keys the
 * names the original WebUI's guide prints (`😠 愤怒 (Angry)`), which the Result's `emoji` and
 * `emotion_zh`, the web page and the Gradio outputs show. The checkpoint's own tokens (`生气/angry`)
 * are not names: model.json keeps them as `token`.
 * @module
 */

/** How a label is shown. */
export interface LabelNames {
  /** Chinese name, e.g. `愤怒`. */
  zh: string;
  /** English name, e.g. `Angry`. */
  en: string;
  emoji: string;
}

const GUIDE_NAMES: ReadonlyMap<string, LabelNames> = new Map([
  ['angry', { zh: '愤怒', en: 'Angry', emoji: '😠' }],
  ['disgusted', { zh: '厌恶', en: 'Disgusted', emoji: '🤢' }],
  ['fearful', { zh: '恐惧', en: 'Fearful', emoji: '😨' }],
  ['happy', { zh: '快乐', en: 'Happy', emoji: '😊' }],
  ['neutral', { zh: '中性', en: 'Neutral', emoji: '😐' }],
  ['other', { zh: '其他', en: 'Other', emoji: '🤔' }],
  ['sad', { zh: '悲伤', en: 'Sad', emoji: '😢' }],
  ['surprised', { zh: '惊讶', en: 'Surprised', emoji: '😲' }],
  ['unknown', { zh: '未知', en: 'Unknown', emoji: '❓' }],
]);

/**
 * The original WebUI guide's names of a label: defined for the nine emotion2vec+ keys only.
 * @param key the label key
 * @returns the names, or undefined for a key outside the emotion2vec+ list
 */
export function guideLabelNames(key: string): LabelNames | undefined {
  return GUIDE_NAMES.get(key);
}

/** Emoji of a label key (`❔` for a key outside the emotion2vec+ list). */
export function labelEmoji(key: string): string {
  return GUIDE_NAMES.get(key)?.emoji ?? '❔';
}

/**
 * Chinese name of a label: the guide's for the nine emotion2vec+ keys, whatever model.json says
 * (older model.json files hold the token's word there, e.g. `生气`); for another key the model's
 * own (tokens.txt's Chinese word), else the key itself.
 * @param key the label key
 * @param modelZh model.json's `zh` of the label ('' when none)
 */
export function labelZh(key: string, modelZh: string): string {
  return GUIDE_NAMES.get(key)?.zh ?? (modelZh !== '' ? modelZh : key);
}

/** English name of a label: the guide's (`Angry`) for the nine emotion2vec+ keys, else the key. */
export function labelEn(key: string): string {
  return GUIDE_NAMES.get(key)?.en ?? key;
}

/**
 * All display names of a label.
 * @param key the label key
 * @param modelZh model.json's `zh` of the label ('' when none)
 */
export function labelNames(key: string, modelZh: string): LabelNames {
  return { zh: labelZh(key, modelZh), en: labelEn(key), emoji: labelEmoji(key) };
}
