import { describe, expect, it } from 'vitest';
import { makeFrameResult, makeResult } from '../../test-support/index.js';
import { evaluate, parseCondition } from './conditions.js';

const check = (raw: unknown, result = makeResult('angry', 0.8)) => evaluate(parseCondition(raw, 'when'), result);

describe('alert conditions', () => {
  it('should test the top emotion and a score threshold (strictly above)', () => {
    expect(check({ emotion: 'angry' })).toBe(true);
    expect(check({ emotion: 'sad' })).toBe(false);
    expect(check({ emotion: 'angry', above: 0.75 })).toBe(true);
    expect(check({ emotion: 'angry', above: 0.8 })).toBe(false);
    expect(check({ emotion: 'sad', above: 0.02 })).toBe(true);
    expect(check({ emotion: 'nonexistent', above: 0 })).toBe(false);
  });

  it('should combine with all, any and not', () => {
    expect(check({ all: [{ emotion: 'angry' }, { not: { emotion: 'angry', above: 0.9 } }] })).toBe(true);
    expect(check({ any: [{ emotion: 'sad' }, { emotion: 'happy' }] })).toBe(false);
    expect(check({ any: [{ emotion: 'sad' }, { all: [{ emotion: 'angry', above: 0.5 }] }] })).toBe(true);
    expect(check({ not: { any: [{ emotion: 'angry' }] } })).toBe(false);
  });

  it('should measure sustained frame scores in seconds (frames at 50 /s)', () => {
    // 0.2 s calm, 1.0 s angry at 0.9, one dip, 0.5 s angry: the longest run is 50 frames = 1.0 s.
    const perFrame = [...Array(10).fill(0.1), ...Array(50).fill(0.9), 0.3, ...Array(25).fill(0.9)];
    const frames = makeFrameResult('angry', perFrame);
    expect(check({ emotion: 'angry', above: 0.5, forS: 1 }, frames)).toBe(true);
    expect(check({ emotion: 'angry', above: 0.5, forS: 1.02 }, frames)).toBe(false);
    expect(check({ emotion: 'angry', forS: 1 }, frames)).toBe(true);
    expect(check({ emotion: 'angry', above: 0.95, forS: 0.02 }, frames)).toBe(false);
    expect(check({ emotion: 'angry', above: 0.5, forS: 0.5 }, makeResult('angry', 0.99))).toBe(false);
    expect(check({ all: [{ emotion: 'neutral' }, { emotion: 'angry', above: 0.5, forS: 1 }] }, frames)).toBe(true);
  });

  it.each([
    [{ emotion: '' }, /when\.emotion/],
    [{ emotion: 'angry', above: 2 }, /when\.above <= 1/],
    [{ emotion: 'angry', forS: -1 }, /when\.forS >= 0/],
    [{ emotion: 'angry', bellow: 0.2 }, /Unknown option when\.bellow/],
    [{ all: [] }, /at least 1 item\(s\) in when\.all/],
    [{ any: [{ emotion: 1 }] }, /when\.any\[0\]\.emotion/],
    [{ not: 'x' }, /when\.not/],
    ['angry', /condition object for when/],
  ])('should reject %j', (raw, message) => {
    expect(() => parseCondition(raw, 'when')).toThrow(message);
  });
});
