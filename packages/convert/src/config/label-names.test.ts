import { describe, expect, it } from 'vitest';
import { manifestLabel } from './label-names.js';

describe('manifestLabel', () => {
  it("should give the nine emotion2vec+ keys the guide's Chinese names and keep the token", () => {
    expect(manifestLabel({ key: 'angry', zh: '生气', token: '生气/angry' })).toEqual({ key: 'angry', zh: '愤怒', token: '生气/angry' });
    expect(manifestLabel({ key: 'unknown', zh: '', token: '<unk>' })).toEqual({ key: 'unknown', zh: '未知', token: '<unk>' });
  });

  it("should keep tokens.txt's word for another key", () => {
    expect(manifestLabel({ key: 'calm', zh: '平静', token: '平静/calm' })).toEqual({ key: 'calm', zh: '平静', token: '平静/calm' });
    expect(manifestLabel({ key: 'unuse_0', zh: '', token: 'unuse_0' })).toEqual({ key: 'unuse_0', zh: '', token: 'unuse_0' });
  });
});
