import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MultipartBody, UploadedFile } from '../http/body.js';
import { FileStore } from '../storage/file-store.js';
import { predictFormData } from './predict-form.js';

let store: FileStore;

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'e2v-predict-form-'));
  store = await FileStore.open({ uploadsDir: join(base, 'uploads'), outputsDir: join(base, 'outputs'), examplesDir: join(base, 'examples') });
});

/** A received file part, as the body reader gives it. */
async function part(field: string, filename: string, content = filename): Promise<UploadedFile> {
  const file = await store.receive(Readable.from([Buffer.from(content)]), 1_000_000);
  return { ...file, field, filename, mimeType: 'application/octet-stream' };
}

function form(files: UploadedFile[], fields: Record<string, string> = {}): MultipartBody {
  return { files, fields };
}

describe('predictFormData', () => {
  it('should keep the audio and give the JSON form with the defaults', async () => {
    const data = await predictFormData(form([await part('audio', 'clip.wav', 'RIFF1')]), store);
    const [audio, granularity, embedding] = data as [{ path: string; orig_name: string; meta: object }, string, boolean];
    expect(audio).toEqual({ path: expect.stringMatching(/\/[0-9a-f]{64}\/clip\.wav$/) as string, orig_name: 'clip.wav', meta: { _type: 'gradio.FileData' } });
    expect(audio.path.startsWith(store.folders.uploadsDir)).toBe(true);
    expect(await readFile(audio.path, 'utf8')).toBe('RIFF1');
    expect([granularity, embedding]).toEqual(['utterance', false]);
  });

  it('should take granularity and extract_embedding as a browser form or curl sends them', async () => {
    for (const [text, expected] of [
      ['true', true],
      ['1', true],
      ['on', true],
      ['FALSE', false],
      ['0', false],
      ['off', false],
    ] as const) {
      const data = await predictFormData(form([await part('audio', 'a.wav')], { granularity: 'frame', extract_embedding: text }), store);
      expect(data.slice(1), text).toEqual(['frame', expected]);
    }
  });

  it('should take the only file of a form whatever its field', async () => {
    const data = await predictFormData(form([await part('file', 'other.wav')]), store);
    expect((data[0] as { orig_name: string }).orig_name).toBe('other.wav');
  });

  it('should prefer the field "audio" when there are several files', async () => {
    const data = await predictFormData(form([await part('extra', 'x.wav'), await part('audio', 'y.wav')]), store);
    expect((data[0] as { orig_name: string }).orig_name).toBe('y.wav');
  });

  it('should refuse a form without a file, or with several and none named audio, with a 400 naming the field', async () => {
    await expect(predictFormData(form([], { granularity: 'frame' }), store)).rejects.toMatchObject({
      status: 400,
      code: 'E2V_ERR_HTTP_BAD_INPUT',
      message: expect.stringContaining('"audio"') as string,
    });
    await expect(predictFormData(form([await part('a', '1.wav'), await part('b', '2.wav')]), store)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/2 files and none in the field "audio"/) as string,
    });
  });

  it('should refuse audio sent as text (curl -F without @) and unknown fields, with a 400', async () => {
    await expect(predictFormData(form([], { audio: 'clip.wav' }), store)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('must be a file') as string,
    });
    await expect(predictFormData(form([await part('audio', 'a.wav')], { granulariti: 'frame' }), store)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("Unknown form field 'granulariti'") as string,
    });
  });

  it('should refuse an extract_embedding that is not a boolean word with a 422 naming it, keeping nothing', async () => {
    const before = await readdir(store.folders.uploadsDir);
    const error = await predictFormData(form([await part('audio', 'unkept.wav', 'unkept')], { extract_embedding: 'maybe' }), store).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 422,
      code: 'E2V_ERR_HTTP_INVALID_INPUT',
      parameter: 'extract_embedding',
      message: expect.stringContaining('"maybe"') as string,
    });
    expect((await readdir(store.folders.uploadsDir)).filter((name) => !name.startsWith('.'))).toEqual(before.filter((name) => !name.startsWith('.')));
  });
});
