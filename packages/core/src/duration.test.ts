import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration.js';

describe('formatDuration', () => {
  it.each([
    [0.4, '0s'],
    [45, '45s'],
    [85, '1m25s'],
    [7380, '2h03m'],
  ])('should format %d s as %s', (n, s) => expect(formatDuration(n)).toBe(s));
});
