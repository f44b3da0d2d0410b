import { describe, expect, it } from 'vitest';
import { csvField, csvLine, parseCsv } from './csv.js';

describe('csv', () => {
  it('should quote only fields that need it and round-trip through the parser', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    const rows = [
      ['id', 'a,b', 'say "hi"', 'two\nlines', ''],
      ['x', '1', '2', '3', '4'],
    ];
    expect(parseCsv(`${rows.map(csvLine).join('\r\n')}\n`)).toEqual(rows);
  });

  it('should skip blank lines and keep empty fields', () => {
    expect(parseCsv('a,,b\n\n,\n')).toEqual([
      ['a', '', 'b'],
      ['', ''],
    ]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('"x"')).toEqual([['x']]);
    expect(() => parseCsv('"open')).toThrow(SyntaxError);
  });
});
