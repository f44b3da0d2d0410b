import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from './read.js';
import { NpyRowWriter } from './row-writer.js';
import { encodeNpy } from './write.js';

async function tempPath(name: string): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'npy-rows-')), name);
}

describe('NpyRowWriter', () => {
  it('should write the same array as encodeNpy, block by block', async () => {
    const path = await tempPath('a.npy');
    const writer = await NpyRowWriter.create(path, 3);
    await writer.append(Float32Array.from([1, 2, 3, 4, 5, 6]));
    await writer.append(new Float32Array(0));
    await writer.append(Float32Array.from([7, 8, 9]));
    expect(writer.rows).toBe(3);
    await writer.close();
    const read = readNpy(await readFile(path));
    expect(read.shape).toEqual([3, 3]);
    expect(Array.from(read.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // the header is padded for any row count: the data starts at a multiple of 64
    const bytes = await readFile(path);
    expect((bytes.length - 36) % 64).toBe(0);
    expect(Array.from(bytes.subarray(-36))).toEqual(Array.from(encodeNpy(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [3, 3]).subarray(-36)));
  });

  it('should make a valid (0, columns) array when nothing was appended', async () => {
    const path = await tempPath('empty.npy');
    const writer = await NpyRowWriter.create(path, 1024);
    await writer.close();
    expect(readNpy(await readFile(path)).shape).toEqual([0, 1024]);
  });

  it('should refuse partial rows and a bad column count', async () => {
    const writer = await NpyRowWriter.create(await tempPath('b.npy'), 4);
    await expect(writer.append(new Float32Array(6))).rejects.toThrow(RangeError);
    await writer.discard();
    await expect(NpyRowWriter.create(await tempPath('c.npy'), 0)).rejects.toThrow(RangeError);
  });

  it('should delete the file on discard', async () => {
    const path = await tempPath('d.npy');
    const writer = await NpyRowWriter.create(path, 2);
    await writer.append(Float32Array.from([1, 2]));
    await writer.discard();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
