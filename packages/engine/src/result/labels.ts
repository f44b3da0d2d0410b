/**
 * Display names of the emotion labels: the emoji and, when tokens.txt gives none, the Chinese
 * name (the Result's `emoji` and `emotion_zh`).
 * @module
 */

const EMOJI: Readonly<Record<string, string>> = {
  angry: '😠',
  disgusted: '🤢',
  fearful: '😨',
  happy: '😊',
  neutral: '😐',
  other: '🤔',
  sad: '😢',
  surprised: '😲',
  unknown: '❓',
};

const ZH: Readonly<Record<string, string>> = {
  angry: '生气',
  disgusted: '厌恶',
  fearful: '恐惧',
  happy: '开心',
  neutral: '中立',
  other: '其他',
  sad: '难过',
  surprised: '吃惊',
  unknown: '未知',
};

/** Emoji of a label key (`❔` for a key outside the emotion2vec+ list). */
export function labelEmoji(key: string): string {
  return EMOJI[key] ?? '❔';
}

/**
 * Chinese name of a label: the model's own (from tokens.txt) when it has one, else the
 * emotion2vec+ name for the key (`<unk>` has none in tokens.txt: 未知), else the key itself.
 */
export function labelZh(key: string, modelZh: string): string {
  return modelZh !== '' ? modelZh : (ZH[key] ?? key);
}
