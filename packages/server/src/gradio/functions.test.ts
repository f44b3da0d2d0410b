import type { Result } from '@e2v/core';
import { describe, expect, it } from 'vitest';
import { mainEmotionMarkdown } from './functions.js';

describe('mainEmotionMarkdown', () => {
  it("should print the main emotion as the original WebUI's guide does", () => {
    const result = { emotion: 'angry', emotion_zh: '愤怒', emoji: '😠', confidence: 0.786 } as Result;
    expect(mainEmotionMarkdown(result)).toBe('## 😠 愤怒 (Angry)\n\n置信度: 78.6%');
  });
});
