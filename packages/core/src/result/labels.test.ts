import { describe, expect, it } from 'vitest';
import { guideLabelNames, labelEmoji, labelEn, labelNames, labelZh } from './labels.js';

describe('label names', () => {
  const GUIDE = {
    angry: '愤怒',
    disgusted: '厌恶',
    fearful: '恐惧',
    happy: '快乐',
    neutral: '中性',
    other: '其他',
    sad: '悲伤',
    surprised: '惊讶',
    unknown: '未知',
  };

  it("should name the nine emotion2vec+ keys as the guide does, whatever model.json's zh says", () => {
    for (const [key, zh] of Object.entries(GUIDE)) {
      expect(labelZh(key, '')).toBe(zh);
      expect(labelEn(key)).toBe(key[0]!.toUpperCase() + key.slice(1));
    }
    // an older model.json holds the checkpoint's token words
    expect(labelZh('angry', '生气')).toBe('愤怒');
    expect(labelZh('happy', '开心')).toBe('快乐');
    expect(labelNames('angry', '生气')).toEqual({ zh: '愤怒', en: 'Angry', emoji: '😠' });
  });

  it("should name another key by the model's word, else by the key", () => {
    expect(labelEmoji('angry')).toBe('😠');
    expect(labelEmoji('unuse_0')).toBe('❔');
    expect(labelZh('calm', '平静')).toBe('平静');
    expect(labelZh('unuse_0', '')).toBe('unuse_0');
    expect(labelEn('unuse_0')).toBe('unuse_0');
    expect(labelZh('constructor', '')).toBe('constructor');
  });

  it("should give the guide's names of the nine emotion2vec+ keys only", () => {
    expect(guideLabelNames('angry')).toEqual({ zh: '愤怒', en: 'Angry', emoji: '😠' });
    expect(guideLabelNames('calm')).toBeUndefined();
    expect(guideLabelNames('constructor')).toBeUndefined();
  });
});
