import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../decode-audio.js';
import { audioFixture } from '../test-support/fixtures.js';
import { repeatedMp3 } from '../test-support/long-audio.js';
import { declaredDurationS } from './declared-duration.js';
import { decodeBytes } from './decode-bytes.js';
import { ChannelsSink } from './pcm-sink.js';
import { sniffFormat, type AudioFormat } from './sniff.js';

function formatOf(bytes: Uint8Array): AudioFormat {
  const sniffed = sniffFormat(bytes);
  if (sniffed.format === undefined) throw new Error(sniffed.unsupported);
  return sniffed.format;
}

describe('declaredDurationS', () => {
  // encoder delay and padding (MP3: up to 2 frames, AAC: 2112 priming samples) are decoded too
  it.each(['speech.mp3', 'speech-44k1-stereo.mp3', 'speech.flac', 'speech-vorbis.ogg', 'speech-opus.ogg', 'speech.m4a', 'speech-opus.webm'])(
    'should read what %s declares, within 60 ms of its decoded length',
    async (name) => {
      const bytes = audioFixture(name);
      const declared = declaredDurationS(bytes, formatOf(bytes));
      const decoded = await decodeAudio(bytes);
      expect(declared).not.toBeNull();
      expect(Math.abs(declared! - decoded.channels[0]!.length / decoded.sampleRate)).toBeLessThan(0.06);
    },
  );

  it.each(['speech-opus-live.webm', 'speech-flac.oga', 'speech-16k.wav'])('should say null where %s does not declare its length', (name) => {
    const bytes = audioFixture(name);
    expect(declaredDurationS(bytes, formatOf(bytes))).toBeNull();
  });

  it('should count every frame of a long MP3 without a Xing header', () => {
    const one = declaredDurationS(repeatedMp3(1), 'mp3')!;
    expect(declaredDurationS(repeatedMp3(300), 'mp3')).toBeCloseTo(300 * one, 6);
  });

  it('should say null for bytes that are not the container they were taken for', () => {
    const garbage = new Uint8Array(4096).fill(0x5a);
    for (const format of ['mp3', 'flac', 'ogg-vorbis', 'ogg-opus', 'm4a', 'webm'] as const) expect(declaredDurationS(garbage, format)).toBeNull();
    expect(declaredDurationS(new Uint8Array(0), 'm4a')).toBeNull();
  });
});

describe('decodeBytes: a declared duration over the limit', () => {
  it('should refuse before a single sample is decoded', async () => {
    let pushes = 0;
    const sink = new ChannelsSink();
    const counting = { push: (channels: readonly Float32Array[], rate: number) => (pushes++, sink.push(channels, rate)) };
    await expect(decodeBytes(repeatedMp3(40), 'mp3', 10, counting)).rejects.toMatchObject({
      code: 'E2V_ERR_AUDIO_TOO_LONG',
      message: expect.stringMatching(/declares 4\d\.\d s, more than the limit of 10 s/),
    });
    expect(pushes).toBe(0);
  });
});
