import { describe, expect, it } from 'vitest';
import { integerFlag, numberFlag, variantFlag } from './flags.js';

describe('numeric flags', () => {
  it('should pass absent flags through and parse good values', () => {
    expect(integerFlag(undefined, '--port', 0, 65535)).toBeUndefined();
    expect(integerFlag('7860', '--port', 0, 65535)).toBe(7860);
    expect(numberFlag('0.5', '--l2', (n) => n >= 0, 'a number >= 0')).toBe(0.5);
  });

  it('should refuse bad values with a usage error naming the flag', () => {
    expect(() => integerFlag('70000', '--port', 0, 65535)).toThrow("--port must be an integer in [0, 65535], not '70000'");
    expect(() => integerFlag('1.5', '--threads', 1, 256)).toThrow(/--threads must be an integer/);
    expect(() => integerFlag('', '--threads', 1, 256)).toThrow(expect.objectContaining({ code: 'E2V_ERR_CLI_USAGE' }) as Error);
    expect(() => numberFlag('x', '--seed', Number.isInteger, 'an integer')).toThrow("--seed must be an integer, not 'x'");
  });
});

describe('--variant', () => {
  it('should default to auto and take --int8 as --variant int8', () => {
    expect(variantFlag(undefined, false)).toBe('auto');
    expect(variantFlag('fp32', false)).toBe('fp32');
    expect(variantFlag(undefined, true)).toBe('int8');
    expect(variantFlag('int8', true)).toBe('int8');
  });

  it('should refuse other values and contradictions with a usage error', () => {
    expect(() => variantFlag('fp16', false)).toThrow("--variant must be fp32, int8 or auto, not 'fp16'");
    expect(() => variantFlag('fp32', true)).toThrow(
      expect.objectContaining({ code: 'E2V_ERR_CLI_USAGE', message: '--int8 contradicts --variant fp32' }) as Error,
    );
  });
});
