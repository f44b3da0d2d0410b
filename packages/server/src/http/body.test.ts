import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../storage/file-store.js';
import { BodyReader } from './body.js';
import { DEFAULT_LIMITS, type RequestLimits } from './limits.js';

const URL_ = 'http://127.0.0.1/upload';

let store: FileStore;

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'e2v-body-'));
  store = await FileStore.open({ uploadsDir: join(dir, 'uploads'), outputsDir: join(dir, 'outputs'), examplesDir: join(dir, 'examples') });
});

function multipart(parts: { name: string; filename?: string; content: string | Uint8Array }[]): Request {
  const form = new FormData();
  for (const part of parts) {
    if (part.filename === undefined) form.append(part.name, String(part.content));
    else form.append(part.name, new Blob([part.content]), part.filename);
  }
  return new Request(URL_, { method: 'POST', body: form });
}

/** A request whose body is the given chunks, then (optionally) a failure, with no Content-Length. */
function streamed(chunks: Uint8Array[], failure?: Error, headers?: Record<string, string>): Request {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      if (failure === undefined) controller.close();
      else controller.error(failure);
    },
  });
  return new Request(URL_, { method: 'POST', body: stream, duplex: 'half', ...(headers === undefined ? {} : { headers }) } as RequestInit);
}

/** A request whose body never ends (until `end()`), declaring `length` bytes. */
function pending(length: number): { request: Request; end: () => void } {
  let end!: () => void;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      end = () => controller.close();
    },
  });
  const request = new Request(URL_, { method: 'POST', body: stream, duplex: 'half', headers: { 'content-length': String(length) } } as RequestInit);
  return { request, end };
}

const reader = (overrides: Partial<RequestLimits> = {}): BodyReader => new BodyReader({ ...DEFAULT_LIMITS, ...overrides }, store);

/** The names in the upload folder (received files are dot-files until kept). */
const uploads = (): Promise<string[]> => readdir(store.folders.uploadsDir);

describe('BodyReader.json', () => {
  it('should read a JSON body within the limit', async () => {
    expect(await reader().json(new Request(URL_, { method: 'POST', body: '{"a":1}' }))).toEqual({ a: 1 });
  });

  it('should refuse a body over the limit with 413, declared or streamed', async () => {
    await expect(reader({ maxJsonBytes: 5 }).json(new Request(URL_, { method: 'POST', body: '"123456"' }))).rejects.toMatchObject({
      status: 413,
      code: 'E2V_ERR_HTTP_TOO_LARGE',
    });
    await expect(reader({ maxJsonBytes: 5 }).json(streamed([new Uint8Array(4), new Uint8Array(4)]))).rejects.toMatchObject({ status: 413 });
  });

  it('should never take more JSON than a data URL of the largest upload needs', () => {
    expect(reader({ maxUploadBytes: 2 * 1024 * 1024 }).maxJsonBytes).toBeLessThan(3 * 1024 * 1024);
    expect(reader().maxJsonBytes).toBe(DEFAULT_LIMITS.maxJsonBytes);
  });

  it('should refuse JSON that does not parse with 400', async () => {
    await expect(reader().json(new Request(URL_, { method: 'POST', body: '{nope' }))).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_BAD_JSON' });
  });

  it('should type a body the client stopped sending as 400 E2V_ERR_HTTP_BODY_ABORTED, with the cause', async () => {
    const cause = new Error('client gone');
    const error = await reader()
      .json(streamed([new TextEncoder().encode('{"a":')], cause))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_BODY_ABORTED', cause });
  });

  it('should refuse a JSON body at once, with 503 and Retry-After, when the bytes in flight would pass the cap', async () => {
    const body = reader({ maxJsonBytesInFlight: 100 });
    const first = pending(60);
    const reading = body.json(first.request);
    await expect(body.json(pending(60).request)).rejects.toMatchObject({
      status: 503,
      code: 'E2V_ERR_HTTP_BUSY',
      headers: { 'Retry-After': expect.stringMatching(/^\d+$/) },
    });
    first.end();
    await expect(reading).rejects.toMatchObject({ code: 'E2V_ERR_HTTP_BAD_JSON' }); // it was read (empty), then freed its place
    await expect(body.json(new Request(URL_, { method: 'POST', body: '[1]' }))).resolves.toEqual([1]);
  });
});

describe('BodyReader.file', () => {
  it('should stream a raw body into a temporary file with its sha256 and size', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    const file = await reader().file(streamed([bytes.subarray(0, 100_000), bytes.subarray(100_000)]));
    expect(file.size).toBe(300_000);
    expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Buffer.from(await readFile(file.path)).equals(Buffer.from(bytes))).toBe(true);
    expect(file.path.startsWith(join(store.folders.uploadsDir, '.incoming-'))).toBe(true);
    await store.discard(file);
    expect(await uploads()).toEqual([]);
  });

  it('should refuse a body over the limit with 413 while reading it, and leave nothing', async () => {
    await expect(reader({ maxUploadBytes: 5 }).file(streamed([new Uint8Array(4), new Uint8Array(4)]))).rejects.toMatchObject({
      status: 413,
      code: 'E2V_ERR_HTTP_TOO_LARGE',
    });
    expect(await uploads()).toEqual([]);
  });

  it('should type an interrupted body as 400 E2V_ERR_HTTP_BODY_ABORTED and leave nothing', async () => {
    await expect(reader().file(streamed([new Uint8Array(1000)], new Error('client gone')))).rejects.toMatchObject({
      status: 400,
      code: 'E2V_ERR_HTTP_BODY_ABORTED',
    });
    expect(await uploads()).toEqual([]);
  });

  it('should refuse a third upload at once with 503 and Retry-After when two may be read at a time', async () => {
    const body = reader({ maxConcurrentUploads: 2 });
    const open = [pending(10), pending(10)];
    const reading = open.map((p) => body.file(p.request));
    const started = performance.now();
    await expect(body.file(pending(10).request)).rejects.toMatchObject({
      status: 503,
      code: 'E2V_ERR_HTTP_BUSY',
      headers: { 'Retry-After': expect.stringMatching(/^\d+$/) },
    });
    expect(performance.now() - started).toBeLessThan(100);
    for (const p of open) p.end();
    for (const file of await Promise.all(reading)) await store.discard(file);
    await store.discard(await body.file(streamed([new Uint8Array(3)])));
  });

  it('should answer 413 at once to a body larger than all the bytes in flight may be', async () => {
    const body = reader({ maxUploadBytesInFlight: 1000 });
    await expect(
      body.multipart(
        new Request(URL_, { method: 'POST', body: 'x'.repeat(2000), headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': '2000' } }),
      ),
    ).rejects.toMatchObject({
      status: 413,
      code: 'E2V_ERR_HTTP_TOO_LARGE',
    });
  });

  it('should charge a body without Content-Length as it arrives, and stop it past the byte cap', async () => {
    await expect(reader({ maxUploadBytesInFlight: 10 }).file(streamed([new Uint8Array(8), new Uint8Array(8)]))).rejects.toMatchObject({
      status: 503,
      code: 'E2V_ERR_HTTP_BUSY',
    });
    expect(await uploads()).toEqual([]);
  });
});

describe('BodyReader.multipart', () => {
  it('should give fields and files received on disk', async () => {
    const body = await reader().multipart(
      multipart([
        { name: 'audio', filename: 'a.wav', content: 'RIFF' },
        { name: 'granularity', content: 'frame' },
      ]),
    );
    expect(body.fields).toEqual({ granularity: 'frame' });
    expect(body.files).toHaveLength(1);
    expect(body.files[0]).toMatchObject({ field: 'audio', filename: 'a.wav', size: 4 });
    expect(await readFile(body.files[0]!.path, 'utf8')).toBe('RIFF');
  });

  it('should read file names as UTF-8, as clients send them', async () => {
    const body = await reader().multipart(multipart([{ name: 'files', filename: '录音 1.wav', content: 'x' }]));
    expect(body.files[0]!.filename).toBe('录音 1.wav');
  });

  it('should refuse a file over the size limit with 413 and leave nothing', async () => {
    await expect(
      reader({ maxUploadBytes: 10 }).multipart(multipart([{ name: 'audio', filename: 'a.wav', content: new Uint8Array(100) }])),
    ).rejects.toMatchObject({ status: 413 });
    expect(await uploads()).toEqual([]);
  });

  it('should refuse too many files or parts with 400 and leave nothing', async () => {
    const files = Array.from({ length: 3 }, (_, i) => ({ name: 'files', filename: `${i}.wav`, content: 'x' }));
    await expect(reader({ maxFiles: 2 }).multipart(multipart(files))).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_TOO_MANY_PARTS' });
    const fields = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, content: 'x' }));
    await expect(reader({ maxParts: 3 }).multipart(multipart(fields))).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_TOO_MANY_PARTS' });
    expect(await uploads()).toEqual([]);
  });

  it('should refuse a file name over the length limit with 400', async () => {
    await expect(reader().multipart(multipart([{ name: 'files', filename: `${'a'.repeat(300)}.wav`, content: 'x' }]))).rejects.toMatchObject({
      status: 400,
      code: 'E2V_ERR_HTTP_FILENAME_TOO_LONG',
    });
  });

  it('should refuse a body that is not multipart, or is malformed, with 400', async () => {
    await expect(reader().multipart(new Request(URL_, { method: 'POST', body: 'x' }))).rejects.toMatchObject({
      status: 400,
      code: 'E2V_ERR_HTTP_NOT_MULTIPART',
    });
    const noBoundary = new Request(URL_, { method: 'POST', body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    await expect(reader().multipart(noBoundary)).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_BAD_MULTIPART' });
    const truncated = new Request(URL_, {
      method: 'POST',
      body: '--b\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\nabc',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    await expect(reader().multipart(truncated)).rejects.toMatchObject({ status: 400 });
    expect(await uploads()).toEqual([]);
  });

  it('should type a multipart body the client stopped sending as 400 and leave nothing', async () => {
    const head = new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\n');
    const request = streamed([head, new Uint8Array(50_000)], new Error('client gone'), { 'content-type': 'multipart/form-data; boundary=b' });
    await expect(reader().multipart(request)).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_BODY_ABORTED' });
    expect(await uploads()).toEqual([]);
  });
});
