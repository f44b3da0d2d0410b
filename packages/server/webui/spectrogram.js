// @ts-check
/**
 * The log-mel spectrogram image: the server's quantized fbank (uint8 per frame and mel bin)
 * colored with a viridis-like map, lowest band at the bottom, x in seconds.
 * @module
 */
import { drawTimeAxis, drawValueAxis, preparePlot } from './plot.js';

/** @typedef {[number, number, number]} Rgb a color's red, green and blue, 0-255 */

/** @type {Rgb[]} Viridis stops, dark (quiet) to bright (loud). */
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** @type {Rgb[]} 256 colors interpolated between {@link STOPS}. */
const COLORMAP = Array.from({ length: 256 }, (_, v) => {
  const pos = (v / 255) * (STOPS.length - 1);
  const i = Math.min(Math.floor(pos), STOPS.length - 2);
  const f = pos - i;
  const from = /** @type {Rgb} */ (STOPS[i]);
  const to = /** @type {Rgb} */ (STOPS[i + 1]);
  /** @param {0 | 1 | 2} n */
  const mix = (n) => Math.round(from[n] + (to[n] - from[n]) * f);
  return /** @type {Rgb} */ ([mix(0), mix(1), mix(2)]);
});

/**
 * @typedef {object} Spectrogram the Result's `spectrogram`
 * @property {number} frame_rate frames per second
 * @property {number} bins mel bands per frame
 * @property {number} frames
 * @property {number} min log-mel value of byte 0
 * @property {number} max log-mel value of byte 255
 * @property {string} data base64 of `frames * bins` bytes, frame by frame
 */

/**
 * Decodes the spectrogram's bytes.
 * @param {Spectrogram} spectrogram
 * @returns {Uint8Array} `frames * bins` values, frame by frame
 */
function decode(spectrogram) {
  const text = atob(spectrogram.data);
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  if (bytes.length !== spectrogram.frames * spectrogram.bins) {
    throw new Error(`spectrogram data holds ${bytes.length} bytes, not frames * bins = ${spectrogram.frames * spectrogram.bins}`);
  }
  return bytes;
}

/**
 * A canvas of one pixel per frame (x) and mel bin (y, lowest band at the bottom).
 * @param {Spectrogram} spectrogram
 * @returns {HTMLCanvasElement}
 */
function toImage(spectrogram) {
  const { frames, bins } = spectrogram;
  const bytes = decode(spectrogram);
  const image = new ImageData(frames, bins);
  for (let f = 0; f < frames; f++) {
    for (let b = 0; b < bins; b++) {
      const [r, g, bl] = /** @type {Rgb} */ (COLORMAP[/** @type {number} */ (bytes[f * bins + b])]);
      const p = ((bins - 1 - b) * frames + f) * 4;
      image.data[p] = r;
      image.data[p + 1] = g;
      image.data[p + 2] = bl;
      image.data[p + 3] = 255;
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = frames;
  canvas.height = bins;
  /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')).putImageData(image, 0, 0);
  return canvas;
}

/**
 * Draws the spectrogram on a canvas, on the same time axis as the timeline.
 * @param {HTMLCanvasElement} canvas a displayed canvas
 * @param {Spectrogram} spectrogram
 * @param {number} durationS length of the x axis (the audio's duration)
 * @param {string} unit x-axis unit text
 */
export function drawSpectrogram(canvas, spectrogram, durationS, unit) {
  const image = toImage(spectrogram);
  const { ctx, plot } = preparePlot(canvas);
  const span = Math.max(durationS, 1e-3);
  const width = Math.min(1, spectrogram.frames / spectrogram.frame_rate / span) * plot.w;
  ctx.drawImage(image, plot.x, plot.y, width, plot.h);
  drawValueAxis(ctx, plot, [
    { at: 0, text: '0' },
    { at: 0.5, text: String(Math.round(spectrogram.bins / 2)) },
    { at: 1, text: String(spectrogram.bins) },
  ]);
  drawTimeAxis(ctx, plot, span, unit);
}
