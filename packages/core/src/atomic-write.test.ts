import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2v-core-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('should replace a file and leave no temporary file', async () => {
    const path = join(dir, 'f.json');
    expect(await writeFileAtomic(path, 'one')).toBe(true);
    expect(await writeFileAtomic(path, 'two')).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['f.json']);
  });

  it('should leave an existing file alone in exclusive mode, and say so', async () => {
    const path = join(dir, 'f');
    expect(await writeFileAtomic(path, 'first', { exclusive: true })).toBe(true);
    expect(await writeFileAtomic(path, 'second', { exclusive: true })).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['f']);
  });

  it('should fail without leaving anything when the folder is missing', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'f'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});
