import { describe, expect, it } from 'vitest';
import { analyzeJobId, audioKey } from './job.js';

const SHA = 'a'.repeat(64);
const utterance = { granularity: 'utterance', windowS: 1, embedding: false } as const;

describe('analyzeJobId', () => {
  it('should be the same for the same content, options and model', () => {
    expect(analyzeJobId(SHA, utterance, { id: 'm1' })).toBe(analyzeJobId(SHA, { ...utterance }, { id: 'm1' }));
    expect(analyzeJobId(SHA, utterance, { id: 'm1' })).toMatch(/^j[0-9a-f]{64}$/);
  });

  it('should differ when content, an option or the model differs, and ignore the window of utterance jobs', () => {
    const base = analyzeJobId(SHA, utterance, { id: 'm1' });
    expect(analyzeJobId('b'.repeat(64), utterance, { id: 'm1' })).not.toBe(base);
    expect(analyzeJobId(SHA, { ...utterance, embedding: true }, { id: 'm1' })).not.toBe(base);
    expect(analyzeJobId(SHA, utterance, { id: 'm2' })).not.toBe(base);
    expect(analyzeJobId(SHA, { ...utterance, windowS: 2 }, { id: 'm1' })).toBe(base);
    const frame = { granularity: 'frame', windowS: 1, embedding: false } as const;
    expect(analyzeJobId(SHA, frame, { id: 'm1' })).not.toBe(analyzeJobId(SHA, { ...frame, windowS: 0 }, { id: 'm1' }));
  });
});

describe('audioKey', () => {
  it('should key audio by its content under the e2v prefix', () => {
    expect(audioKey(SHA)).toBe(`e2v:audio:${SHA}`);
  });
});
