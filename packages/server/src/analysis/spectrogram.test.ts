import { fbank } from '@e2v/native';
import { describe, expect, it } from 'vitest';
import { SpectrogramBuilder } from './spectrogram.js';

const RATE = 16000;

function chirp(seconds: number): Float32Array {
  return Float32Array.from({ length: seconds * RATE }, (_, i) => 0.3 * Math.sin((2 * Math.PI * (100 + 20 * (i / RATE)) * i) / RATE) + 0.01 * Math.sin(i));
}

async function build(samples: Float32Array, pieces: number[], maxFrames?: number) {
  const builder = new SpectrogramBuilder(maxFrames);
  let at = 0;
  for (let i = 0; at < samples.length; i++) {
    const size = pieces[i % pieces.length]!;
    await builder.push(samples.subarray(at, at + size));
    at += size;
  }
  return builder.finish();
}

describe('SpectrogramBuilder', () => {
  it('should quantize the fbank of the whole signal, column per frame, whatever the pieces', async () => {
    const samples = chirp(3);
    const whole = fbank(samples, { numMelBins: 80 });
    const spectrogram = await build(samples, [samples.length]);
    expect(spectrogram).toMatchObject({ frame_rate: 100, bins: 80, frames: whole.frames });
    const bytes = Buffer.from(spectrogram.data, 'base64');
    const span = spectrogram.max - spectrogram.min;
    for (let i = 0; i < whole.data.length; i += 97)
      expect(Math.abs(spectrogram.min + (bytes[i]! / 255) * span - whole.data[i]!)).toBeLessThanOrEqual(span / 255);
    for (const pieces of [[1000], [7, 399, 401, 16000], [160]]) expect(await build(samples, pieces)).toEqual(spectrogram);
  });

  it('should keep at most maxFrames columns, doubling the frames per column as the input grows', async () => {
    const samples = chirp(12); // 1198 fbank frames
    const spectrogram = await build(samples, [RATE], 500);
    expect(spectrogram.frames).toBe(300); // groups of 4: 1198 / 4 rounded up
    expect(spectrogram.frame_rate).toBe(25);
    expect(Buffer.from(spectrogram.data, 'base64').length).toBe(300 * 80);
  });

  it('should give an empty spectrogram for less than one frame', async () => {
    expect(await build(new Float32Array(399), [399])).toMatchObject({ frames: 0, min: 0, max: 0, data: '' });
  });
});
