/**
 * Test helper (not built into dist): long inputs made in memory from small fixtures, for the
 * duration-limit, deadline and event-loop tests.
 * @module
 */
import { id3v2Size, parseMpegAudioHeader } from '../decode/mpeg-header.js';
import { audioFixture } from './fixtures.js';
import { buildWav, fmtBody } from './wav-builder.js';

/**
 * The MPEG frames of speech.mp3 (1 s, 48 kHz mono) repeated `copies` times, without the ID3 tag
 * and the Xing/Info frame, whose sample count would make the decoder stop after the first copy.
 */
export function repeatedMp3(copies: number): Uint8Array {
  const mp3 = audioFixture('speech.mp3');
  let at = id3v2Size(mp3, 0);
  const first = parseMpegAudioHeader(mp3, at)!;
  const info = String.fromCharCode(...mp3.subarray(at, at + first.frameLength));
  if (info.includes('Xing') || info.includes('Info')) at += first.frameLength;
  const frames = mp3.subarray(at);
  const out = new Uint8Array(frames.length * copies);
  for (let i = 0; i < copies; i++) out.set(frames, i * frames.length);
  return out;
}

/** A 16-bit WAV of `seconds` of a deterministic tone-plus-noise signal. */
export function syntheticWav(seconds: number, sampleRate: number, channels: number): Uint8Array {
  const frames = Math.round(seconds * sampleRate);
  const data = new Uint8Array(frames * channels * 2);
  const view = new DataView(data.buffer);
  let seed = 12345;
  for (let i = 0; i < frames; i++) {
    const tone = 0.3 * Math.sin((2 * Math.PI * 220 * i) / sampleRate);
    for (let c = 0; c < channels; c++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = ((seed >>> 16) / 65536 - 0.5) * 0.05;
      view.setInt16((i * channels + c) * 2, Math.round(((tone * (c + 1)) / channels) * 32767 + noise * 32767), true);
    }
  }
  return buildWav([
    { id: 'fmt ', body: fmtBody(1, channels, sampleRate, 16) },
    { id: 'data', body: data },
  ]);
}
