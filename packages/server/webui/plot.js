// @ts-check
/**
 * Canvas plumbing shared by the timeline and the spectrogram: a sharp backing store, the same
 * plot margins (so both time axes line up), and the axes.
 * @module
 */

/** @typedef {{ x: number, y: number, w: number, h: number }} Rect */

const MARGIN = { left: 48, right: 12, top: 8, bottom: 26 };
const AXIS_COLOR = '#5b6472';
const FONT = '11px system-ui, sans-serif';

/**
 * Sizes the canvas to its CSS box at the screen's pixel ratio and clears it.
 * @param {HTMLCanvasElement} canvas a displayed canvas
 * @returns {{ ctx: CanvasRenderingContext2D, plot: Rect }} a context in CSS pixels and the plot area
 */
export function preparePlot(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const { width, height } = canvas.getBoundingClientRect();
  canvas.width = Math.max(1, Math.round(width * ratio));
  canvas.height = Math.max(1, Math.round(height * ratio));
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const plot = { x: MARGIN.left, y: MARGIN.top, w: Math.max(1, width - MARGIN.left - MARGIN.right), h: Math.max(1, height - MARGIN.top - MARGIN.bottom) };
  return { ctx, plot };
}

/**
 * A tick step of 1, 2 or 5 times a power of ten that gives about `count` ticks over `span`.
 * @param {number} span
 * @param {number} count
 * @returns {number}
 */
function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

/**
 * Draws the x axis from 0 to `durationS` seconds under the plot, with tick labels and the unit
 * in the corner left of it.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Rect} plot
 * @param {number} durationS
 * @param {string} unit e.g. `s`
 */
export function drawTimeAxis(ctx, plot, durationS, unit) {
  const step = niceStep(durationS, Math.max(2, Math.floor(plot.w / 70)));
  const decimals = step < 1 ? Math.ceil(-Math.log10(step)) : 0;
  ctx.save();
  ctx.strokeStyle = AXIS_COLOR;
  ctx.fillStyle = AXIS_COLOR;
  ctx.font = FONT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const base = plot.y + plot.h + 0.5;
  ctx.beginPath();
  ctx.moveTo(plot.x, base);
  ctx.lineTo(plot.x + plot.w, base);
  for (let i = 0; i * step <= durationS + 1e-9; i++) {
    const s = i * step;
    const x = Math.round(plot.x + (s / durationS) * plot.w) + 0.5;
    ctx.moveTo(x, base);
    ctx.lineTo(x, base + 4);
    ctx.fillText(s.toFixed(decimals), x, base + 6);
  }
  ctx.stroke();
  ctx.textAlign = 'right';
  ctx.fillText(unit, plot.x - 6, base + 6);
  ctx.restore();
}

/**
 * Draws y-axis tick labels left of the plot.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Rect} plot
 * @param {{ at: number, text: string }[]} ticks `at` from 0 (bottom) to 1 (top)
 */
export function drawValueAxis(ctx, plot, ticks) {
  ctx.save();
  ctx.fillStyle = AXIS_COLOR;
  ctx.font = FONT;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const tick of ticks) ctx.fillText(tick.text, plot.x - 6, plot.y + (1 - tick.at) * plot.h);
  ctx.restore();
}
