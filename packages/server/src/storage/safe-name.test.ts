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

  it('should keep names up to 255 UTF-8 bytes as they are', () => {
    const ascii = `${'a'.repeat(251)}.wav`;
    expect(safeBaseName(ascii)).toBe(ascii);
    const cjk = `${'录'.repeat(83)}.wav`; // 249 + 4 bytes
    expect(safeBaseName(cjk)).toBe(cjk);
  });

  it('should shorten longer names by UTF-8 bytes at character boundaries, keeping the extension', () => {
    for (const [name, character] of [
      [`${'录'.repeat(100)}.wav`, '录'],
      [`${'𠀀'.repeat(70)}.flac`, '𠀀'],
      [`${'é'.repeat(200)}.mp3`, 'é'],
      [`${'a'.repeat(300)}.wav`, 'a'],
    ] as const) {
      const stored = safeBaseName(name);
      expect(Buffer.byteLength(stored), name).toBeLessThanOrEqual(255);
      expect(Buffer.byteLength(stored), name).toBeGreaterThan(255 - 4);
      expect(stored.slice(stored.lastIndexOf('.')), name).toBe(name.slice(name.lastIndexOf('.')));
      const stem = stored.slice(0, stored.lastIndexOf('.'));
      expect(
        [...stem].every((c) => c === character),
        name,
      ).toBe(true);
    }
  });

  it('should drop an extension too long to keep', () => {
    const stored = safeBaseName(`clip.${'x'.repeat(300)}`);
    expect(Buffer.byteLength(stored)).toBe(255);
    expect(stored.startsWith('clip.xxx')).toBe(true);
  });
});
