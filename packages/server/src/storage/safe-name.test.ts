import { describe, expect, it } from 'vitest';
import { safeBaseName } from './safe-name.js';

describe('safeBaseName', () => {
  it('should keep only the last path segment, whichever slash', () => {
    expect(safeBaseName('../../etc/passwd')).toBe('passwd');
    expect(safeBaseName('C:\\Users\\me\\clip.wav')).toBe('clip.wav');
  });

  it('should replace unsafe characters and strip leading dots', () => {
    expect(safeBaseName('..hidden')).toBe('hidden');
    expect(safeBaseName('a<b>|c$.wav')).toBe('a_b__c_.wav');
    expect(safeBaseName('录音 1.wav')).toBe('录音 1.wav');
  });

  it('should invent a tmp name when nothing is left', () => {
    expect(safeBaseName(undefined)).toMatch(/^tmp[0-9a-f]{12}$/);
    expect(safeBaseName('/')).toMatch(/^tmp[0-9a-f]{12}$/);
    expect(safeBaseName('...')).toMatch(/^tmp[0-9a-f]{12}$/);
  });
});
