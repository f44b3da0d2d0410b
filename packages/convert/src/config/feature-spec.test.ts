import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { MAX_CONV_LAYERS, parseFeatureEncoderSpec } from './feature-spec.js';

describe('parseFeatureEncoderSpec', () => {
  it('should expand the release spec', () => {
    expect(parseFeatureEncoderSpec('[(512, 10, 5)] + [(512, 3, 2)] * 4 + [(512,2,2)] + [(512,2,2)]')).toEqual([
      [512, 10, 5],
      [512, 3, 2],
      [512, 3, 2],
      [512, 3, 2],
      [512, 3, 2],
      [512, 2, 2],
      [512, 2, 2],
    ]);
  });

  it.each([
    ['[(1, 2, 3)]', [[1, 2, 3]]],
    [
      '[(1,2,3,), (4,5,6),]',
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ],
    [
      '2 * [(1,2,3)]',
      [
        [1, 2, 3],
        [1, 2, 3],
      ],
    ],
    [
      '[(1,2,3), (4,5,6)] * 2 * 1',
      [
        [1, 2, 3],
        [4, 5, 6],
        [1, 2, 3],
        [4, 5, 6],
      ],
    ],
    ['  [ ( 7 ,\t8 , 9 ) ]\n', [[7, 8, 9]]],
    ['[] + [(1,2,3)]', [[1, 2, 3]]],
  ])('should parse %j', (text, layers) => {
    expect(parseFeatureEncoderSpec(text)).toEqual(layers);
  });

  describe('EXPECTED FAILURE', () => {
    it.each([
      ['__import__("os").system("x")', /unexpected character '_' at column 1/],
      ['[(1, 2)]', /expected ',' at column 7/],
      ['[(1, 2, 3, 4)]', /expected '\)' at column 12/],
      ['[(0, 2, 3)]', /values must be positive at column 3/],
      ['[(1, 2, -3)]', /unexpected character '-'/],
      ['[(1, 2, 3)] * [(1, 2, 3)]', /a list multiplied by a list/],
      ['3 * 4', /a term without a list/],
      ['[(1,2,3)] +', /expected an integer at column 12/],
      ['[(1,2,3)] [(1,2,3)]', /unexpected input at column 11/],
      ['[]', /no conv layers/],
      ['[(1,2,3)] * 100000000000', /more than 64 layers/],
      [`[(1,2,3)] * ${MAX_CONV_LAYERS + 1}`, /more than 64 layers/],
      ['[(1,2,3)] * 40 + [(1,2,3)] * 40', /more than 64 layers/],
      ['[(1, 2, 99999999999999999999)]', /number too large/],
    ])('should reject %j', (text, message) => {
      const attempt = (): unknown => parseFeatureEncoderSpec(text);
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(expect.objectContaining({ code: 'E2V_ERR_CONFIG_FEATURE_SPEC' }));
    });
  });
});
