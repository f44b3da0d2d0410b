import { describe, expect, it } from 'vitest';
import { readJsonBody, readMultipart, readRawBody } from './body.js';
import { DEFAULT_LIMITS, type RequestLimits } from './limits.js';

const URL_ = 'http://127.0.0.1/upload';

function multipart(parts: { name: string; filename?: string; content: string | Uint8Array }[]): Request {
  const form = new FormData();
  for (const part of parts) {
    if (part.filename === undefined) form.append(part.name, String(part.content));
    else form.append(part.name, new Blob([part.content]), part.filename);
  }
  return new Request(URL_, { method: 'POST', body: form });
}

const limits = (overrides: Partial<RequestLimits>): RequestLimits => ({ ...DEFAULT_LIMITS, ...overrides });

describe('readRawBody', () => {
  it('should read a body within the limit', async () => {
    const bytes = await readRawBody(new Request(URL_, { method: 'POST', body: 'hello' }), 5);
    expect(Buffer.from(bytes).toString()).toBe('hello');
  });

  it('should refuse a body over the limit with 413, declared or streamed', async () => {
    await expect(readRawBody(new Request(URL_, { method: 'POST', body: '123456' }), 5)).rejects.toMatchObject({ status: 413, code: 'E2V_ERR_HTTP_TOO_LARGE' });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(4));
        controller.enqueue(new Uint8Array(4));
        controller.close();
      },
    });
    await expect(readRawBody(new Request(URL_, { method: 'POST', body: stream, duplex: 'half' } as RequestInit), 5)).rejects.toMatchObject({ status: 413 });
  });

  it('should refuse JSON that does not parse with 400', async () => {
    await expect(readJsonBody(new Request(URL_, { method: 'POST', body: '{nope' }), 100)).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_BAD_JSON' });
  });
});

describe('readMultipart', () => {
  it('should give files and fields', async () => {
    const body = await readMultipart(multipart([{ name: 'audio', filename: 'a.wav', content: 'RIFF' }, { name: 'granularity', content: 'frame' }]), DEFAULT_LIMITS);
    expect(body.fields).toEqual({ granularity: 'frame' });
    expect(body.files).toHaveLength(1);
    expect(body.files[0]).toMatchObject({ field: 'audio', filename: 'a.wav' });
    expect(Buffer.from(body.files[0]!.bytes).toString()).toBe('RIFF');
  });

  it('should refuse a file over the size limit with 413', async () => {
    await expect(readMultipart(multipart([{ name: 'audio', filename: 'a.wav', content: new Uint8Array(100) }]), limits({ maxUploadBytes: 10 }))).rejects.toMatchObject({ status: 413 });
  });

  it('should refuse too many files or parts with 400', async () => {
    const files = Array.from({ length: 3 }, (_, i) => ({ name: 'files', filename: `${i}.wav`, content: 'x' }));
    await expect(readMultipart(multipart(files), limits({ maxFiles: 2 }))).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_TOO_MANY_PARTS' });
    const fields = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, content: 'x' }));
    await expect(readMultipart(multipart(fields), limits({ maxParts: 3 }))).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_TOO_MANY_PARTS' });
  });

  it('should refuse a file name over the length limit with 400', async () => {
    await expect(readMultipart(multipart([{ name: 'files', filename: `${'a'.repeat(300)}.wav`, content: 'x' }]), DEFAULT_LIMITS)).rejects.toMatchObject({
      status: 400,
      code: 'E2V_ERR_HTTP_FILENAME_TOO_LONG',
    });
  });

  it('should refuse a body that is not multipart, or is malformed, with 400', async () => {
    await expect(readMultipart(new Request(URL_, { method: 'POST', body: 'x' }), DEFAULT_LIMITS)).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_NOT_MULTIPART' });
    const noBoundary = new Request(URL_, { method: 'POST', body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    await expect(readMultipart(noBoundary, DEFAULT_LIMITS)).rejects.toMatchObject({ status: 400, code: 'E2V_ERR_HTTP_BAD_MULTIPART' });
    const truncated = new Request(URL_, { method: 'POST', body: '--b\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\nabc', headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    await expect(readMultipart(truncated, DEFAULT_LIMITS)).rejects.toMatchObject({ status: 400 });
  });
});
