import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
