import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { tempDir, writeArchive } from './test-support/checkpoints.js';
import { SIG, SIZE } from './zip-format.js';
import { readZipDirectory, storedEntryDataOffset } from './zip-reader.js';
import { DATA_ALIGNMENT } from './zip-writer.js';

describe('zip reader and writer', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  const entries: [string, Uint8Array][] = [
    ['arc/data.pkl', Uint8Array.of(1, 2, 3)],
    ['arc/data/0', new Uint8Array(100).fill(7)],
    ['arc/empty', new Uint8Array(0)],
    ['arc/名字', Uint8Array.of(9)],
  ];

  /** Reads every entry of an archive file through the reader. */
  async function readAll(path: string): Promise<Map<string, Uint8Array>> {
    const file = await open(path, 'r');
    try {
      const size = (await file.stat()).size;
      const out = new Map<string, Uint8Array>();
      for (const [name, entry] of await readZipDirectory(file, size)) {
        const offset = await storedEntryDataOffset(file, size, entry);
        expect(offset % DATA_ALIGNMENT).toBe(0);
        const data = new Uint8Array(entry.size);
        await file.read(data, 0, entry.size, offset);
        out.set(name, data);
      }
      return out;
    } finally {
      await file.close();
    }
  }

  it.each([false, true])('should read back every entry, 64-byte aligned (forceZip64 %s)', async (forceZip64) => {
    const path = join(dir, `plain-${forceZip64}.zip`);
    await writeArchive(path, entries, { forceZip64 });
    expect(await readAll(path)).toEqual(new Map(entries));
    const bytes = readFileSync(path);
    const end = bytes.subarray(bytes.length - SIZE.END);
    expect(end.readUInt32LE(0)).toBe(SIG.END);
    expect(end.readUInt16LE(10)).toBe(forceZip64 ? 0xffff : entries.length); // forced: counts only in the zip64 record
  });

  it('should find the end record behind an archive comment', async () => {
    const path = join(dir, 'comment.zip');
    await writeArchive(path, entries);
    const bytes = Buffer.from(readFileSync(path));
    bytes.writeUInt16LE(5, bytes.length - 2);
    writeFileSync(path, Buffer.concat([bytes, Buffer.from('hello')]));
    expect([...(await readAll(path)).keys()]).toEqual(entries.map(([name]) => name));
  });

  describe('EXPECTED FAILURE', () => {
    async function failure(bytes: Uint8Array, what: 'directory' | 'entry'): Promise<unknown> {
      const path = join(dir, 'broken.zip');
      writeFileSync(path, bytes);
      const file = await open(path, 'r');
      try {
        const directory = await readZipDirectory(file, bytes.length);
        if (what === 'entry') for (const entry of directory.values()) await storedEntryDataOffset(file, bytes.length, entry);
        return undefined;
      } catch (error) {
        return error;
      } finally {
        await file.close();
      }
    }
    async function archiveBytes(): Promise<Buffer> {
      const path = join(dir, 'source.zip');
      await writeArchive(path, entries);
      return Buffer.from(readFileSync(path));
    }
    /** Offset of the central directory record of `name`. */
    const central = (bytes: Buffer, name: string): number => bytes.lastIndexOf(Buffer.from(name)) - SIZE.CENTRAL;

    it('should reject an encrypted entry', async () => {
      const bytes = await archiveBytes();
      bytes.writeUInt16LE(bytes.readUInt16LE(central(bytes, 'arc/data/0') + 8) | 1, central(bytes, 'arc/data/0') + 8);
      expect(await failure(bytes, 'entry')).toMatchObject({
        code: 'E2V_ERR_CHECKPOINT_ZIP_UNSUPPORTED',
        message: expect.stringContaining('arc/data/0 uses encryption'),
      });
    });

    it('should reject a duplicated entry name', async () => {
      const bytes = await archiveBytes();
      Buffer.from('arc/data/0').copy(bytes, central(bytes, 'arc/名字') + SIZE.CENTRAL); // both names are 10 bytes
      expect(await failure(bytes, 'directory')).toMatchObject({ code: 'E2V_ERR_CHECKPOINT_ZIP_CORRUPT', message: expect.stringContaining('appears twice') });
    });

    it('should reject an entry whose size runs past the file', async () => {
      const bytes = await archiveBytes();
      const at = central(bytes, 'arc/data/0');
      bytes.writeUInt32LE(1_000_000, at + 20);
      bytes.writeUInt32LE(1_000_000, at + 24);
      expect(await failure(bytes, 'entry')).toMatchObject({
        code: 'E2V_ERR_CHECKPOINT_TRUNCATED',
        message: expect.stringContaining('extends beyond the end of the file'),
      });
    });

    it('should reject a stored entry whose sizes differ', async () => {
      const bytes = await archiveBytes();
      bytes.writeUInt32LE(99, central(bytes, 'arc/data/0') + 24);
      expect(await failure(bytes, 'entry')).toMatchObject({
        code: 'E2V_ERR_CHECKPOINT_ZIP_CORRUPT',
        message: expect.stringContaining('has size 99 but compressed size 100'),
      });
    });

    it('should reject 0xffffffff fields without a zip64 extra field', async () => {
      const bytes = await archiveBytes();
      bytes.writeUInt32LE(0xffffffff, central(bytes, 'arc/data/0') + 42);
      expect(await failure(bytes, 'directory')).toMatchObject({
        code: 'E2V_ERR_CHECKPOINT_ZIP_CORRUPT',
        message: expect.stringContaining('no zip64 extra field'),
      });
    });

    it('should reject zip64 counts without a zip64 locator', async () => {
      const bytes = await archiveBytes();
      const locator = bytes.length - SIZE.END - SIZE.ZIP64_LOCATOR;
      bytes.writeUInt32LE(0, locator);
      bytes.writeUInt16LE(0xffff, bytes.length - SIZE.END + 10);
      expect(await failure(bytes, 'directory')).toMatchObject({ code: 'E2V_ERR_CHECKPOINT_ZIP_CORRUPT', message: expect.stringContaining('no zip64 locator') });
    });

    it('should reject a central directory that claims more entries than it has', async () => {
      const bytes = await archiveBytes();
      const zip64End = bytes.length - SIZE.END - SIZE.ZIP64_LOCATOR - SIZE.ZIP64_END;
      bytes.writeBigUInt64LE(5n, zip64End + 32);
      expect(await failure(bytes, 'directory')).toMatchObject({ code: 'E2V_ERR_CHECKPOINT_ZIP_CORRUPT', message: expect.stringContaining('entry 4 of 5') });
    });

    it('should reject a central directory larger than the limit', async () => {
      const bytes = await archiveBytes();
      const zip64End = bytes.length - SIZE.END - SIZE.ZIP64_LOCATOR - SIZE.ZIP64_END;
      bytes.writeBigUInt64LE(100n * 1024n * 1024n, zip64End + 40); // directory size
      const error = await failure(bytes, 'directory');
      expect(error).toBeInstanceOf(CheckpointError);
      expect(error).toMatchObject({ code: 'E2V_ERR_CHECKPOINT_TOO_LARGE', message: expect.stringContaining('limit 67108864') });
    });
  });
});
