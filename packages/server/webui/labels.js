// @ts-check
/**
 * Emotion labels as the page shows them: display name in the current language, emoji, and one
 * color per emotion shared by the bar chart and the timeline. The names come from the API
 * (`/api/v1/models`: the original WebUI guide's `愤怒` / `Angry` for the nine emotion2vec+ labels).
 * @module
 */

/** @typedef {{ key: string, zh: string, en: string, emoji: string }} Label */

/** One color per emotion2vec+ label. */
const COLORS = {
  angry: '#d63a3a',
  disgusted: '#6f9a2d',
  fearful: '#8a55c9',
  happy: '#f0b400',
  neutral: '#8796a8',
  other: '#1aa5a5',
  sad: '#2f6fd0',
  surprised: '#f07a1a',
  unknown: '#b58a6a',
};

/** Colors for label keys outside the emotion2vec+ list, by model position. */
const FALLBACK = ['#c2417f', '#4a8f6a', '#9c7a1f', '#5a6fc2', '#b0523a', '#3a9cc2', '#7f5aa0', '#6a7f2a', '#c27a9c'];

/**
 * The color of a label.
 * @param {string} key label key, e.g. `happy`
 * @param {number} index the label's position in the model
 * @returns {string} a CSS color
 */
export function labelColor(key, index) {
  return COLORS[/** @type {keyof typeof COLORS} */ (key)] ?? FALLBACK[index % FALLBACK.length];
}

/**
 * The label of a key: the server's (`known`), else the key as every name.
 * @param {string} key
 * @param {Label[]} known labels from `/api/v1/models`
 * @returns {Label}
 */
export function labelOf(key, known) {
  return known.find((label) => label.key === key) ?? { key, zh: key, en: key, emoji: '' };
}

/**
 * The labels of a Result's scores in model order (see {@link labelOf}).
 * @param {Record<string, number>} scores
 * @param {Label[]} known labels from `/api/v1/models`
 * @returns {Label[]}
 */
export function labelsOf(scores, known) {
  return Object.keys(scores).map((key) => labelOf(key, known));
}

/**
 * The name of a label in a language.
 * @param {Label} label
 * @param {import('./i18n.js').Lang} lang
 * @returns {string}
 */
export function labelName(label, lang) {
  return lang === 'zh' ? label.zh : label.en;
}
