import { describe, expect, it } from 'vitest';
import { markdownTable } from './table.js';

describe('markdownTable', () => {
  it('should pad every column to its widest cell', () => {
    expect(
      markdownTable(
        ['input', 'RTF'],
        [
          ['20 s', 0.15],
          ['2 s', '0.3 (first)'],
        ],
      ),
    ).toBe(['| input | RTF         |', '| ----- | ----------- |', '| 20 s  | 0.15        |', '| 2 s   | 0.3 (first) |'].join('\n'));
  });
});
