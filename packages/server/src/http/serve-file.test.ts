import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serveFile } from './serve-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2v-serve-'));
  await writeFile(join(dir, 'result.json'), '0123456789');
  await writeFile(join(dir, 'page.html'), '<script>alert(1)</script>');
});

const get = (headers: Record<string, string> = {}, method = 'GET'): Request => new Request('http://127.0.0.1/x', { method, headers });

describe('serveFile', () => {
  it('should send a download with nosniff and a safe content type', async () => {
    const response = await serveFile(join(dir, 'result.json'), get());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="result.json"; filename*=UTF-8''result.json`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(await response.text()).toBe('0123456789');
  });

  it('should never serve HTML as a page', async () => {
    const response = await serveFile(join(dir, 'page.html'), get());
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('should answer ranges with 206 and unsatisfiable ones with 416', async () => {
    const part = await serveFile(join(dir, 'result.json'), get({ range: 'bytes=2-4' }));
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await part.text()).toBe('234');
    const suffix = await serveFile(join(dir, 'result.json'), get({ range: 'bytes=-3' }));
    expect(await suffix.text()).toBe('789');
    expect((await serveFile(join(dir, 'result.json'), get({ range: 'bytes=20-' }))).status).toBe(416);
  });

  it('should answer HEAD with headers only', async () => {
    const response = await serveFile(join(dir, 'result.json'), get({}, 'HEAD'));
    expect(response.headers.get('content-length')).toBe('10');
    expect(await response.text()).toBe('');
  });
});
