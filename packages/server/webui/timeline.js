// @ts-check
/**
 * The frame-granularity timeline: the scores of every frame as stacked areas (one color per
 * emotion, model order from the bottom, each frame a step), x in seconds.
 * @module
 */
import { labelColor, labelName } from './labels.js';
import { drawTimeAxis, drawValueAxis, preparePlot } from './plot.js';

/**
 * Draws the frame scores on a canvas.
 * @param {HTMLCanvasElement} canvas a displayed canvas
 * @param {{ rate: number, start_s: number[], scores: number[][] }} frames the Result's `frames`
 * @param {number} durationS length of the x axis (the audio's duration)
 * @param {import('./labels.js').Label[]} labels in model order
 * @param {string} unit x-axis unit text
 */
export function drawTimeline(canvas, frames, durationS, labels, unit) {
  const { ctx, plot } = preparePlot(canvas);
  const span = Math.max(durationS, 1e-3);
  const frameS = 1 / frames.rate;
  const x = (/** @type {number} */ s) => plot.x + (Math.min(s, span) / span) * plot.w;
  const y = (/** @type {number} */ p) => plot.y + (1 - p) * plot.h;
  // Layer k reaches from 0 up to the sum of scores 0..k; painting the highest layer first and
  // each lower one over it leaves no seams between the bands.
  const cumulative = frames.scores.map((row) => {
    let sum = 0;
    return row.map((score) => (sum += score));
  });
  // one start per frame (read only when there are frames)
  const starts = frames.start_s;
  for (let k = cumulative.length > 0 ? labels.length - 1 : -1; k >= 0; k--) {
    ctx.beginPath();
    ctx.moveTo(x(/** @type {number} */ (starts[0])), y(0));
    cumulative.forEach((sums, i) => {
      const start = /** @type {number} */ (starts[i]);
      const top = y(/** @type {number} */ (sums[k]));
      ctx.lineTo(x(start), top);
      ctx.lineTo(x(start + frameS), top);
    });
    ctx.lineTo(x(/** @type {number} */ (starts[starts.length - 1]) + frameS), y(0));
    ctx.closePath();
    ctx.fillStyle = labelColor(/** @type {import('./labels.js').Label} */ (labels[k]).key, k);
    ctx.fill();
  }
  drawValueAxis(
    ctx,
    plot,
    [0, 0.5, 1].map((at) => ({ at, text: `${at * 100}%` })),
  );
  drawTimeAxis(ctx, plot, span, unit);
}

/**
 * Fills a list with one color swatch and name per label.
 * @param {HTMLElement} list a `<ul>`
 * @param {import('./labels.js').Label[]} labels in model order
 * @param {import('./i18n.js').Lang} lang
 */
export function renderLegend(list, labels, lang) {
  list.replaceChildren(
    ...labels.map((label, k) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = labelColor(label.key, k);
      const emoji = document.createElement('span');
      emoji.className = 'emoji';
      emoji.textContent = label.emoji;
      item.append(swatch, emoji, labelName(label, lang));
      return item;
    }),
  );
}
