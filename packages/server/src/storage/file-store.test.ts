import { chmod, mkdir, mkdtemp, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../errors.js';
import { FileStore } from './file-store.js';

let base: string;
let store: FileStore;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'e2v-store-'));
  await mkdir(join(base, 'examples'));
  await writeFile(join(base, 'examples', 'example.wav'), 'RIFF');
  await writeFile(join(base, 'secret.txt'), 'secret');
  store = await FileStore.open({ uploadsDir: join(base, 'uploads'), outputsDir: join(base, 'outputs'), examplesDir: join(base, 'examples') });
});

async function refused(path: string): Promise<void> {
  const error = await store.resolveOwned(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(403);
  expect((error as HttpError).code).toBe('E2V_ERR_HTTP_FILE_NOT_ALLOWED');
}

describe('FileStore', () => {
  it('should store an upload under its content hash with a sanitised name', async () => {
    const path = await store.saveUpload(new TextEncoder().encode('abc'), '../../evil.sh');
    expect(path).toBe(join(store.folders.uploadsDir, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'evil.sh'));
    expect(await readFile(path, 'utf8')).toBe('abc');
    expect(await store.resolveOwned(path)).toBe(path);
  });

  it('should make the uploads folder private (0700), the folders created for it and an existing one too', async () => {
    expect((await stat(store.folders.uploadsDir)).mode & 0o777).toBe(0o700);
    const nested = join(base, 'state', 'deep', 'uploads');
    const fresh = await FileStore.open({ uploadsDir: nested, outputsDir: join(base, 'outputs'), examplesDir: join(base, 'examples') });
    expect((await stat(fresh.folders.uploadsDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(base, 'state', 'deep'))).mode & 0o777).toBe(0o700);
    const open = join(base, 'open-uploads');
    await mkdir(open, { mode: 0o777 });
    await chmod(open, 0o777);
    await FileStore.open({ uploadsDir: open, outputsDir: join(base, 'outputs'), examplesDir: join(base, 'examples') });
    expect((await stat(open)).mode & 0o777).toBe(0o700);
  });

  it('should resolve examples and outputs', async () => {
    await mkdir(join(store.folders.outputsDir, 'outputs_1'), { recursive: true });
    await writeFile(join(store.folders.outputsDir, 'outputs_1', 'result.json'), '{}');
    expect(await store.resolveOwned(join(base, 'examples', 'example.wav'))).toBe(join(store.folders.examplesDir, 'example.wav'));
    expect(await store.resolveOutput('outputs_1/result.json')).toBe(join(store.folders.outputsDir, 'outputs_1', 'result.json'));
    expect(store.outputRelative(join(store.folders.outputsDir, 'outputs_1', 'result.json'))).toBe('outputs_1/result.json');
  });

  it('should refuse paths outside its folders, however they are spelled', async () => {
    await refused('/etc/passwd');
    await refused(join(base, 'secret.txt'));
    await refused(`${store.folders.uploadsDir}/../secret.txt`);
    await refused('relative/path.wav');
    await refused(`${store.folders.uploadsDir}/x\0.wav`);
    await refused('');
    await expect(store.resolveOutput('../secret.txt')).rejects.toMatchObject({ status: 403 });
    await expect(store.resolveOutput('/etc/passwd')).rejects.toMatchObject({ status: 403 });
  });

  it('should refuse a symlink that leads out of the folders', async () => {
    const link = join(store.folders.uploadsDir, 'link.txt');
    await symlink(join(base, 'secret.txt'), link);
    await refused(link);
  });

  it('should refuse folders, missing files and dot-files (unfinished outputs)', async () => {
    await refused(store.folders.uploadsDir);
    await refused(join(store.folders.uploadsDir, 'missing.wav'));
    await mkdir(join(store.folders.outputsDir, '.staging'), { recursive: true });
    await writeFile(join(store.folders.outputsDir, '.staging', 'result.json'), '{}');
    await refused(join(store.folders.outputsDir, '.staging', 'result.json'));
  });

  it('should keep a received upload under its hash with a long name shortened, never a 500', async () => {
    for (const name of [`${'n'.repeat(250)}.wav`, `${'录'.repeat(90)}.wav`]) {
      const file = await store.receive(Readable.from([Buffer.from(name)]), 1_000_000);
      const path = await store.keep(file, name);
      expect(Buffer.byteLength(path.split('/').pop()!), name).toBeLessThanOrEqual(255);
      expect(path.endsWith('.wav')).toBe(true);
      expect(await readFile(path, 'utf8')).toBe(name);
      await expect(stat(file.path)).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('should pin the entry of a path until released, refresh its time, and ignore paths elsewhere', async () => {
    const path = await store.saveUpload(new TextEncoder().encode('pinned'), 'p.wav');
    const entry = join(store.folders.uploadsDir, path.split('/').at(-2)!);
    const old = new Date(Date.now() - 48 * 3600_000);
    await utimes(entry, old, old);
    const release = store.pin(path);
    const again = store.pin(path);
    expect(store.inUse(entry)).toBe(true);
    release();
    release();
    expect(store.inUse(entry)).toBe(true);
    again();
    expect(store.inUse(entry)).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect((await stat(entry)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    store.pin('/etc/passwd')();
    expect(await readdir(store.folders.uploadsDir)).not.toContain('passwd');
  });
});
