import { describe, expect, it } from 'vitest';
import { parseParams } from './params.js';
import { ANALYZE_QUERY } from './spec.js';

describe('parseParams', () => {
  it('should fill defaults', () => {
    expect(parseParams(ANALYZE_QUERY, {})).toEqual({
      granularity: 'utterance',
      embedding: false,
      inline_embedding: true,
      window_s: 1,
      save: false,
      spectrogram: false,
    });
  });

  it('should parse booleans and enums', () => {
    expect(parseParams(ANALYZE_QUERY, { granularity: 'frame', embedding: 'TRUE', save: '1', spectrogram: 'off' })).toMatchObject({
      granularity: 'frame',
      embedding: true,
      save: true,
      spectrogram: false,
    });
  });

  it("should parse numbers within the engine's range", () => {
    expect(parseParams(ANALYZE_QUERY, { window_s: '0' }).window_s).toBe(0);
    expect(parseParams(ANALYZE_QUERY, { window_s: '2.5' }).window_s).toBe(2.5);
    expect(parseParams(ANALYZE_QUERY, { window_s: '3600' }).window_s).toBe(3600);
    for (const bad of ['-0.1', '3600.5', 'NaN', 'Infinity', 'one', '1s', ' ']) {
      expect(() => parseParams(ANALYZE_QUERY, { window_s: bad })).toThrow(/Parameter 'window_s' must be a number in \[0, 3600\]/);
    }
  });

  it('should refuse bad values and unknown names with a 400 naming them', () => {
    expect(() => parseParams(ANALYZE_QUERY, { granularity: 'word' })).toThrow(/granularity.*utterance, frame/);
    expect(() => parseParams(ANALYZE_QUERY, { embedding: 'maybe' })).toThrow(/embedding.*true or false/);
    expect(() => parseParams(ANALYZE_QUERY, { granulariti: 'frame' })).toThrow(/Unknown parameter 'granulariti'/);
    try {
      parseParams(ANALYZE_QUERY, { save: 'x' });
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_BAD_PARAM' });
    }
  });
});
