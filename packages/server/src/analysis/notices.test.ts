import type { Result } from '@e2v/core';
import { describe, expect, it } from 'vitest';
import { analysisNotices } from './notices.js';

function resultOf(durationS: number, segments?: number): Result {
  const segment = { start_s: 0, end_s: 1, emotion: 'happy', confidence: 1, scores: { happy: 1 } };
  return {
    audio: { duration_s: durationS, sample_rate: 16000, channels: 1, format: 'wav' },
    ...(segments === undefined ? {} : { segments: Array.from({ length: segments }, () => segment) }),
  } as Result;
}

describe('analysisNotices', () => {
  it('should say a clip under 1 s gives an unreliable result', () => {
    expect(analysisNotices(resultOf(0.3))).toEqual([
      { code: 'E2V_NOTICE_AUDIO_SHORT', message: expect.stringMatching(/^The audio is 0\.30 s long, under 1 s: .*unreliable/) },
    ]);
  });

  it('should say long audio was analysed in segments', () => {
    expect(analysisNotices(resultOf(61.5, 3))).toEqual([
      { code: 'E2V_NOTICE_AUDIO_SEGMENTED', message: expect.stringMatching(/^The audio is 61\.50 s long: it was analysed in 3 segments/) },
    ]);
  });

  it('should have no advice for 1 s and more in one piece', () => {
    expect(analysisNotices(resultOf(1))).toEqual([]);
    expect(analysisNotices(resultOf(30))).toEqual([]);
  });
});
