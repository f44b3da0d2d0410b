import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandInputs, globToRegExp } from './inputs.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2v-inputs-'));
  await mkdir(join(dir, 'calls', 'day1'), { recursive: true });
  await mkdir(join(dir, 'calls', '.cache'), { recursive: true });
  for (const file of ['calls/a.wav', 'calls/b.MP3', 'calls/notes.txt', 'calls/day1/c.flac', 'calls/.cache/d.wav', 'e.ogg'])
    await writeFile(join(dir, file), 'x');
});

describe('globToRegExp', () => {
  it('should match *, ?, ** and classes on whole paths', () => {
    expect(globToRegExp('/a/*.wav').test('/a/x.wav')).toBe(true);
    expect(globToRegExp('/a/*.wav').test('/a/b/x.wav')).toBe(false);
    expect(globToRegExp('/a/**/*.wav').test('/a/x.wav')).toBe(true);
    expect(globToRegExp('/a/**/*.wav').test('/a/b/c/x.wav')).toBe(true);
    expect(globToRegExp('/a/?.wav').test('/a/xy.wav')).toBe(false);
    expect(globToRegExp('/a/[bc].wav').test('/a/c.wav')).toBe(true);
    expect(globToRegExp('/a/[!bc].wav').test('/a/c.wav')).toBe(false);
    expect(globToRegExp('/a/x+y.wav').test('/a/x+y.wav')).toBe(true);
  });
});

describe('expandInputs', () => {
  it('should take audio files from folders recursively, skipping hidden ones and other files', async () => {
    expect(await expandInputs([join(dir, 'calls')])).toEqual([join(dir, 'calls/a.wav'), join(dir, 'calls/b.MP3'), join(dir, 'calls/day1/c.flac')]);
  });

  it('should take files as given, expand globs, and drop duplicates', async () => {
    const files = await expandInputs([join(dir, 'calls/notes.txt'), `${dir}/**/*.wav`, join(dir, 'calls/a.wav')]);
    expect(files).toEqual([join(dir, 'calls/a.wav'), join(dir, 'calls/notes.txt')]);
  });

  it('should refuse what names nothing', async () => {
    await expect(expandInputs([join(dir, 'missing.wav')])).rejects.toThrow(/no such file or folder/);
    await expect(expandInputs([`${dir}/*.aiff`])).rejects.toThrow(/no file matches/);
    await mkdir(join(dir, 'empty'));
    await expect(expandInputs([join(dir, 'empty')])).rejects.toThrow(/no files found/);
  });

  it('should name what cannot be read and why (E2V_ERR_CLI_FILE), not claim nothing matches', async () => {
    const loop = join(dir, 'loop');
    await symlink(loop, loop);
    await expect(expandInputs([`${loop}/*.wav`])).rejects.toMatchObject({
      name: 'FileError',
      code: 'E2V_ERR_CLI_FILE',
      systemCode: 'ELOOP',
      message: `cannot read ${loop}/: too many symbolic links encountered (ELOOP)`,
    });
    await expect(expandInputs([join(loop, 'a.wav')])).rejects.toMatchObject({ code: 'E2V_ERR_CLI_FILE', systemCode: 'ELOOP' });
    await expect(expandInputs([`${dir}/missing/*.wav`])).rejects.toThrow(/no file matches/);
  });
});
