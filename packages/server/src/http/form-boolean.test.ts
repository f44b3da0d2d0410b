import { describe, expect, it } from 'vitest';
import { parseFormBoolean } from './form-boolean.js';

describe('parseFormBoolean', () => {
  it('should read the words forms and curl send, in any case', () => {
    for (const word of ['true', 'TRUE', '1', 'yes', 'on', 'On']) expect(parseFormBoolean(word), word).toBe(true);
    for (const word of ['false', 'False', '0', 'no', 'off', 'OFF']) expect(parseFormBoolean(word), word).toBe(false);
  });

  it('should give undefined for anything else', () => {
    for (const word of ['', 'maybe', '2', ' true', 'truee']) expect(parseFormBoolean(word), word).toBeUndefined();
  });
});
