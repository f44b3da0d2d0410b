import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAudio16k } from '@e2v/engine';
import { fbank } from '@e2v/native';
import { describe, expect, it } from 'vitest';

const audioDir = fileURLToPath(new URL('../../packages/engine/test/fixtures/audio/', import.meta.url));

/** Every container/codec a user can upload, as the engine's fixtures hold them. */
const FORMATS = [
  ['speech-16k.wav', 'wav'],
  ['speech.mp3', 'mp3'],
  ['speech.m4a', 'm4a'],
  ['speech.flac', 'flac'],
  ['speech-vorbis.ogg', 'ogg-vorbis'],
  ['speech-opus.ogg', 'ogg-opus'],
  ['speech-opus.webm', 'webm'],
] as const;

/** Kaldi frame count with snip_edges: 1 + (n - 400) / 160 at 16 kHz. */
function kaldiFrames(samples: number): number {
  return samples < 400 ? 0 : 1 + Math.floor((samples - 400) / 160);
}

describe('bytes -> 16 kHz mono -> log-mel fbank, across packages', () => {
  it.each(FORMATS)('should turn %s into finite 80-bin features of the right length', async (file) => {
    const bytes = readFileSync(audioDir + file);
    const loaded = await loadAudio16k(bytes);
    expect(loaded.sampleRate).toBe(16000);
    expect(loaded.samples.length).toBe(Math.ceil(loaded.source.durationS * 16000 - 1e-6));
    const features = fbank(loaded.samples, { numMelBins: 80 });
    expect(features.bins).toBe(80);
    expect(features.frames).toBe(kaldiFrames(loaded.samples.length));
    expect(features.data.every(Number.isFinite)).toBe(true);
    // Speech, not silence: the loudest frame is far above the log floor (-15.94).
    expect(Math.max(...features.data)).toBeGreaterThan(0);
  });

  it('should give every format of the same recording nearly the same spectrogram', async () => {
    const reference = fbank((await loadAudio16k(readFileSync(`${audioDir}speech-16k.wav`))).samples);
    const mp3 = fbank((await loadAudio16k(readFileSync(`${audioDir}speech.mp3`))).samples);
    const frames = Math.min(reference.frames, mp3.frames);
    let sum = 0;
    for (let i = 0; i < frames * 80; i++) sum += Math.abs(reference.data[i]! - mp3.data[i]!);
    // Lossy coding changes quiet bins; the mean absolute log difference stays small.
    expect(sum / (frames * 80)).toBeLessThan(1.0); // measured 0.42 (mp3); an unrelated signal gives ~5.3
  });
});
