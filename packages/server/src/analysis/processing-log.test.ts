import type { Result } from '@e2v/core';
import { describe, expect, it } from 'vitest';
import { processingLog } from './processing-log.js';

const RESULT = {
  emotion: 'angry',
  emoji: '😠',
  confidence: 0.786,
  scores: { angry: 0.786, disgusted: 0.042, fearful: 0.021, happy: 0.003, neutral: 0.085, other: 0.031, sad: 0.019, surprised: 0.008, unknown: 0.005 },
  frames: null,
  audio: { duration_s: 12, sample_rate: 44100, channels: 2, format: 'mp3' },
  model: { name: 'emotion2vec_plus_large', variant: 'int8' },
  timings_ms: { decode: 30, resample: 5, inference: 900, total: 950 },
} as unknown as Result;

describe('processingLog', () => {
  it('should list every score as the guide does, three decimals in model order', () => {
    const log = processingLog(RESULT, null, []);
    const at = log.indexOf('scores:');
    expect(log[at - 1]).toBe('result: 😠 angry (78.6%)');
    expect(log.slice(at + 1, at + 10)).toEqual([
      '  angry: 0.786',
      '  disgusted: 0.042',
      '  fearful: 0.021',
      '  happy: 0.003',
      '  neutral: 0.085',
      '  other: 0.031',
      '  sad: 0.019',
      '  surprised: 0.008',
      '  unknown: 0.005',
    ]);
    expect(log.at(-1)).toBe('total 950 ms');
  });

  it('should say how frame scores were smoothed', () => {
    const frames = (window_s: number) => ({ ...RESULT, frames: { rate: 50, window_s, start_s: [0, 0.02], scores: [] } }) as unknown as Result;
    expect(processingLog(frames(1), null, [])).toContain('frame granularity: 2 frames at 50 frames/s, scores smoothed over 1 s windows');
    expect(processingLog(frames(0), null, [])).toContain('frame granularity: 2 frames at 50 frames/s, raw per-frame scores');
  });

  it('should have a line for each notice', () => {
    const short = { ...RESULT, audio: { ...RESULT.audio, duration_s: 0.4 } } as Result;
    expect(processingLog(short, null, []).filter((line) => line.startsWith('notice '))).toEqual([
      expect.stringMatching(/^notice E2V_NOTICE_AUDIO_SHORT: The audio is 0\.40 s long/),
    ]);
  });
});
