import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenFile } from '../checkpoint/test-support/checkpoints.js';
import { ConfigError } from '../errors.js';
import { maskedLabelIndices, parseTokens } from './tokens.js';

describe('parseTokens', () => {
  it('should read the official 9-label list (tiny-a, no trailing newline)', () => {
    const labels = parseTokens(readFileSync(goldenFile('tiny-a', 'tokens.txt'), 'utf8'));
    expect(labels.map((l) => l.key)).toEqual(['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'other', 'sad', 'surprised', 'unknown']);
    expect(labels[0]).toEqual({ key: 'angry', zh: '生气', token: '生气/angry' });
    expect(labels[8]).toEqual({ key: 'unknown', zh: '', token: '<unk>' });
    expect(maskedLabelIndices(labels)).toEqual([]);
  });

  it('should read the May-2024 list with unuse_* placeholders (tiny-b, trailing newline) and mask them', () => {
    const labels = parseTokens(readFileSync(goldenFile('tiny-b-5class', 'tokens.txt'), 'utf8'));
    expect(labels).toHaveLength(9);
    expect(labels[1]).toEqual({ key: 'unuse_0', zh: '', token: 'unuse_0' });
    expect(labels.map((l) => l.key)).toEqual(['angry', 'unuse_0', 'unuse_1', 'happy', 'neutral', 'unuse_2', 'sad', 'unuse_3', 'unknown']);
    expect(maskedLabelIndices(labels)).toEqual([1, 2, 5, 7]);
  });

  it('should right-strip lines like FunASR and drop a BOM', () => {
    expect(parseTokens('\uFEFF开心/happy \r\n<unk>\r\n')).toEqual([
      { key: 'happy', zh: '开心', token: '开心/happy' },
      { key: 'unknown', zh: '', token: '<unk>' },
    ]);
  });

  describe('EXPECTED FAILURE', () => {
    it.each([
      ['', /has no labels/],
      ['\n', /line 1 is empty/],
      ['a/x\n\nb/y', /line 2 is empty/],
      ['生气/angry\n愤怒/angry', /lines 1 and 2 both give the label key 'angry'/],
    ])('should reject %j', (text, message) => {
      expect(() => parseTokens(text)).toThrow(ConfigError);
      expect(() => parseTokens(text)).toThrow(message);
      expect(() => parseTokens(text)).toThrow(expect.objectContaining({ code: 'E2V_ERR_CONFIG_TOKENS' }));
    });
  });
});
