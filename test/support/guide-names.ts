/**
 * The names the original WebUI's guide gives the nine emotion2vec+ labels, as the tests expect
 * them in the page, the Gradio outputs and result.json (written out here on purpose: the tests
 * check @e2v/core's table against them, not against itself).
 * @module
 */

/** `[key, Chinese name, English name]` in model order. */
export const GUIDE_NAMES: readonly (readonly [string, string, string])[] = [
  ['angry', '愤怒', 'Angry'],
  ['disgusted', '厌恶', 'Disgusted'],
  ['fearful', '恐惧', 'Fearful'],
  ['happy', '快乐', 'Happy'],
  ['neutral', '中性', 'Neutral'],
  ['other', '其他', 'Other'],
  ['sad', '悲伤', 'Sad'],
  ['surprised', '惊讶', 'Surprised'],
  ['unknown', '未知', 'Unknown'],
];

/** The guide's Chinese and English names of a label key. */
export function guideNames(key: string): { zh: string; en: string } {
  const names = GUIDE_NAMES.find(([k]) => k === key);
  if (names === undefined) throw new Error(`${key} is not one of the guide's labels`);
  return { zh: names[1], en: names[2] };
}
