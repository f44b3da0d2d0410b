// @ts-check
/**
 * The bar chart of all scores (SVG, one row per label in model order, the top one in bold;
 * each row's `<title>` is its accessible name and tooltip), and its text alternative: the score
 * list as the original WebUI's guide prints it (`angry: 0.786`).
 * @module
 */
import { labelColor, labelName } from './labels.js';

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 30;
const WIDTH = 480;
const NAME_W = 150;
const VALUE_W = 56;

/**
 * An SVG element with attributes.
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @returns {SVGElement}
 */
function svg(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/**
 * Draws one bar per label into an `<svg>`.
 * @param {SVGSVGElement} chart
 * @param {Record<string, number>} scores the Result's `scores`
 * @param {import('./labels.js').Label[]} labels the scores' labels in model order
 * @param {import('./i18n.js').Lang} lang
 */
export function renderScoreBars(chart, scores, labels, lang) {
  // the Result's scores hold every label of the model
  const values = labels.map((label) => /** @type {number} */ (scores[label.key]));
  const topIndex = values.reduce((best, value, k) => (value > /** @type {number} */ (values[best]) ? k : best), 0);
  const barMax = WIDTH - NAME_W - VALUE_W;
  chart.setAttribute('viewBox', `0 0 ${WIDTH} ${labels.length * ROW}`);
  chart.replaceChildren(
    ...labels.map((label, k) => {
      const score = /** @type {number} */ (values[k]);
      const name = labelName(label, lang);
      const percent = `${(score * 100).toFixed(1)}%`;
      const row = svg('g', {
        transform: `translate(0 ${k * ROW})`,
        role: 'img',
        'data-testid': 'score-bar',
        'data-label': label.key,
        class: k === topIndex ? 'top' : '',
      });
      const title = svg('title', {});
      title.textContent = `${name}: ${percent}`;
      const text = svg('text', { x: NAME_W - 10, y: ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'bar-name' });
      const emoji = svg('tspan', { class: 'emoji' });
      emoji.textContent = label.emoji;
      text.append(emoji, label.emoji === '' ? name : ` ${name}`);
      const track = svg('rect', { x: NAME_W, y: 6, width: barMax, height: ROW - 12, rx: 4, class: 'bar-track' });
      const bar = svg('rect', { x: NAME_W, y: 6, width: Math.max(0, score) * barMax, height: ROW - 12, rx: 4, fill: labelColor(label.key, k) });
      const value = svg('text', { x: WIDTH - 4, y: ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'bar-value' });
      value.textContent = percent;
      row.append(title, text, track, bar, value);
      return row;
    }),
  );
}

/**
 * Fills a list with one `key: score` line per label in model order, scores to three decimals.
 * @param {HTMLElement} list a `<ul>`
 * @param {Record<string, number>} scores the Result's `scores`
 */
export function renderScoreList(list, scores) {
  list.replaceChildren(
    ...Object.entries(scores).map(([key, score]) => {
      const item = document.createElement('li');
      item.textContent = `${key}: ${score.toFixed(3)}`;
      return item;
    }),
  );
}
