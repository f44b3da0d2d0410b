import { appendFile, mkdir, mkdtemp, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canMount, fillDisk, Tmpfs } from '../../test-support/tmpfs.js';
import { appendWhole } from './append-whole.js';

describe('appendWhole', () => {
  it('should append to every file in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-append-'));
    await writeFile(join(dir, 'a'), 'one\n');
    await appendWhole([
      { path: join(dir, 'a'), text: 'two\n' },
      { path: join(dir, 'b'), text: 'row\n' },
      { path: join(dir, 'a'), text: 'three\n' },
    ]);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(await readFile(join(dir, 'b'), 'utf8')).toBe('row\n');
  });

  it('should cut every file back when a later append fails (EISDIR)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-append-'));
    await writeFile(join(dir, 'results.jsonl'), '{"a":1}\n');
    await mkdir(join(dir, 'results.csv'));
    const failing = appendWhole([
      { path: join(dir, 'results.jsonl'), text: '{"b":2}\n' },
      { path: join(dir, 'results.jsonl'), text: '{"c":3}\n' },
      { path: join(dir, 'results.csv'), text: 'b,2\n' },
    ]);
    await expect(failing).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await readFile(join(dir, 'results.jsonl'), 'utf8')).toBe('{"a":1}\n');
  });

  it.skipIf(!canMount)('should leave no torn line on a full disk, where a plain append tears one (tmpfs, root)', async () => {
    const disk = Tmpfs.mount('64k');
    try {
      const path = join(disk.dir, 'results.jsonl');
      const before = '{"file":"a.wav"}\n{"file":"b.wav"}\n';
      await writeFile(path, before);
      fillDisk(disk.dir);
      const line = `{"file":"c.wav","frames":"${'x'.repeat(20_000)}"}\n`;
      // the disk is really full: a plain append writes what fits (the rest of the file's page) and tears the line
      await expect(appendFile(path, line)).rejects.toMatchObject({ code: 'ENOSPC' });
      expect((await stat(path)).size).toBeGreaterThan(before.length);
      await truncate(path, before.length);

      await expect(appendWhole([{ path, text: line }])).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(await readFile(path, 'utf8')).toBe(before);
    } finally {
      disk.unmount();
    }
  });
});
