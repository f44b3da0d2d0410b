/**
 * The server against the mechanisms of Gradio's published advisories
 * (packages/server/README.md, "Security"), one group per anchor: path traversal on `file=`, local
 * files smuggled in as FileData, SSRF through URL inputs, cross-origin requests and DNS
 * rebinding, upload limits and names, stored XSS through uploads, and Gradio routes that must
 * not exist.
 * @module
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { testModelDir } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GOLDEN_INPUTS_DIR,
  fileData,
  formOf,
  postJson,
  rawRequest,
  readEventStream,
  sseBlocks,
  startTestServer,
  uploadFiles,
  type RawResponse,
  type TestServer,
} from '../support/e2e-server.js';

const SPEECH = readFileSync(join(GOLDEN_INPUTS_DIR, 'speech_8k_mono.wav'));
const PASSWD = /root:.*:0:0:/;

/** Every file below `dir` (relative paths), sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length))
    .sort();
}

/** Asserts a response served nothing of /etc/passwd. */
function expectNotServed(response: RawResponse): void {
  expect(response.status).not.toBe(200);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.text).not.toMatch(PASSWD);
}

/** Runs `/gradio_api/call/predict` with `data` and returns the streamed event and its data. */
async function callPredict(base: string, data: unknown[]): Promise<{ event: string | undefined; data: string }> {
  const post = await postJson(`${base}/gradio_api/call/predict`, { data });
  if (post.status !== 200) return { event: `http ${post.status}`, data: await post.text() };
  const { event_id: eventId } = (await post.json()) as { event_id: string };
  const [block] = sseBlocks((await readEventStream(`${base}/gradio_api/call/predict/${eventId}`)).text).filter((b) => b.event !== 'heartbeat');
  return { event: block?.event, data: block?.data ?? '' };
}

let ts: TestServer;
let uploadsDir: string;
let outputsDir: string;
/** A valid WAV file on disk that the server did not create (next to its data folder). */
let planted: string;

beforeAll(async () => {
  ts = await startTestServer({ modelDir: testModelDir('tiny-a') });
  ({ uploadsDir, outputsDir } = ts.server.folders);
  planted = join(ts.tmp, 'planted.wav');
  await writeFile(planted, SPEECH);
});

afterAll(async () => {
  await ts?.close();
});

describe('CVE-2023-34239, CVE-2023-51449, CVE-2024-47164: path traversal on file=', () => {
  /** `../` repeated so that `<uploadsDir>/<ups>etc/passwd` is /etc/passwd. */
  const ups = (segment: string): string => segment.repeat(uploadsDir.split('/').length - 1);

  it('should refuse ../ out of the upload folder with 403', async () => {
    const response = await rawRequest(ts.url, `/gradio_api/file=${uploadsDir}/${ups('../')}etc/passwd`);
    expect(response.status).toBe(403);
    expectNotServed(response);
  });

  it('should serve nothing when more ../ than folders are given', async () => {
    expectNotServed(await rawRequest(ts.url, `/gradio_api/file=${uploadsDir}/${ups('../')}../../../etc/passwd`));
    expectNotServed(await rawRequest(ts.url, `/file=${uploadsDir}/../../../../../../../../etc/passwd`));
    expectNotServed(await rawRequest(ts.url, '/gradio_api/file=../../../../etc/passwd'));
  });

  it('should refuse percent-encoded dots %2e%2e with 403', async () => {
    const response = await rawRequest(ts.url, `/gradio_api/file=${uploadsDir}/${ups('%2e%2e/')}etc/passwd`);
    expect(response.status).toBe(403);
    expectNotServed(response);
  });

  it('should refuse encoded slashes ..%2f with 403', async () => {
    const response = await rawRequest(ts.url, `/gradio_api/file=${uploadsDir}/${ups('..%2f')}etc%2fpasswd`);
    expect(response.status).toBe(403);
    expectNotServed(response);
  });

  it('should refuse double-encoded dots %252e%252e with 403', async () => {
    const response = await rawRequest(ts.url, `/gradio_api/file=${uploadsDir}/${ups('%252e%252e/')}etc/passwd`);
    expect(response.status).toBe(403);
    expectNotServed(response);
  });

  it.each([
    '/gradio_api/file=/etc/passwd',
    '/file=/etc/passwd',
    '/gradio_api/file/etc/passwd',
    '/gradio_api/file=%2fetc%2fpasswd',
    '/gradio_api/file=etc/passwd',
    '/gradio_api/file=..%2f..%2f..%2f..%2fetc%2fpasswd',
  ])('should refuse %s with 403 "File not allowed"', async (path) => {
    for (const method of ['GET', 'HEAD']) {
      const response = await rawRequest(ts.url, path, { method });
      expect(response.status).toBe(403);
      expect(response.text).not.toMatch(PASSWD);
    }
    expect(JSON.parse((await rawRequest(ts.url, path)).text)).toEqual({ detail: expect.stringMatching(/^File not allowed: /) });
  });

  it('should refuse a NUL byte in the path', async () => {
    const [stored] = await uploadFiles(ts.url, [{ bytes: SPEECH, filename: 'nul.wav' }]);
    const response = await rawRequest(ts.url, `/gradio_api/file=${stored!}%00.txt`);
    expect([400, 403]).toContain(response.status);
    expectNotServed(await rawRequest(ts.url, `/gradio_api/file=/etc/passwd%00${stored!}`));
  });

  it('should refuse a symlink inside the upload folder that points outside (file and folder)', async () => {
    await mkdir(join(uploadsDir, 'links'), { recursive: true });
    await symlink('/etc/passwd', join(uploadsDir, 'links', 'passwd'));
    await symlink('/etc', join(uploadsDir, 'links', 'etc'));
    await symlink(planted, join(uploadsDir, 'links', 'planted.wav'));
    for (const path of ['links/passwd', 'links/etc/passwd', 'links/planted.wav']) {
      const response = await rawRequest(ts.url, `/gradio_api/file=${uploadsDir}/${path}`);
      expect(response.status, path).toBe(403);
      expectNotServed(response);
    }
  });

  it('should refuse files next to the folders, dot-files inside them and the model folder', async () => {
    await writeFile(join(uploadsDir, '.hidden'), 'TOP-SECRET-CONTENT');
    await writeFile(join(dirname(uploadsDir), 'secret.txt'), 'TOP-SECRET-CONTENT');
    for (const path of [
      planted,
      join(uploadsDir, '.hidden'),
      join(dirname(uploadsDir), 'secret.txt'),
      join(testModelDir('tiny-a'), 'model.json'),
      uploadsDir,
      outputsDir,
    ]) {
      const response = await rawRequest(ts.url, `/gradio_api/file=${path}`);
      expect(response.status, path).toBe(403);
      expect(response.text).not.toContain('TOP-SECRET-CONTENT');
    }
  });
});

describe('the same traversal tricks on the other file routes (REST outputs, page files)', () => {
  it.each([
    '/api/v1/outputs/..%2fplanted.wav',
    '/api/v1/outputs/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/api/v1/outputs/%2fetc%2fpasswd',
    '/api/v1/outputs/%252e%252e%252fplanted.wav',
    '/api/v1/outputs/',
  ])('should refuse %s', async (path) => {
    const response = await rawRequest(ts.url, path);
    expect(response.status).toBe(403);
    expect(response.text).not.toMatch(PASSWD);
    expect(response.body.includes(SPEECH.subarray(44, 200))).toBe(false);
  });

  it('should refuse a symlink in the outputs folder pointing outside', async () => {
    await symlink(planted, join(outputsDir, 'link.wav'));
    expect((await rawRequest(ts.url, '/api/v1/outputs/link.wav')).status).toBe(403);
    expect((await rawRequest(ts.url, `/gradio_api/file=${outputsDir}/link.wav`)).status).toBe(403);
  });

  it.each([
    '/static/..%2fpackage.json',
    '/static/..%2f..%2f..%2f..%2fpackage.json',
    '/static/%2fetc%2fpasswd',
    '/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
  ])('should not serve %s from the page folder', async (path) => {
    expectNotServed(await rawRequest(ts.url, path));
  });
});

describe('CVE-2024-1728, CVE-2024-47868, CVE-2024-51751: local files sent as FileData input', () => {
  const refusals: [string, () => unknown][] = [
    ['FileData of /etc/passwd', () => fileData('/etc/passwd')],
    ['FileData of a planted WAV', () => fileData(planted)],
    ['FileData without meta', () => ({ path: planted })],
    ['a Gradio 3 {name} object', () => ({ name: planted, is_file: true })],
    ['../ out of the upload folder', () => fileData(`${uploadsDir}/../../planted.wav`)],
    ['a relative path', () => fileData('planted.wav')],
    ['a plain path string', () => planted],
  ];

  it.each(refusals)('should refuse %s and analyze nothing', async (_, input) => {
    const before = await listFiles(outputsDir);
    const { event, data } = await callPredict(ts.url, [input(), 'utterance', false]);
    expect(event).toBe('error');
    expect(data).not.toMatch(PASSWD);
    expect(data).toMatch(/not allowed|upload|file/i);
    expect(await listFiles(outputsDir)).toEqual(before);
  });

  it('should refuse a planted file on every call route', async () => {
    const before = await listFiles(outputsDir);
    const direct = await postJson(`${ts.url}/api/predict`, { data: [fileData(planted)] });
    expect(direct.status).toBeGreaterThanOrEqual(400);
    expect(((await direct.json()) as { error: string }).error).toMatch(/not allowed/i);

    await postJson(`${ts.url}/gradio_api/queue/join`, { data: [fileData('/etc/passwd')], fn_index: 0, session_hash: 'lfi' });
    const messages = sseBlocks((await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=lfi`)).text).map(
      (b) => JSON.parse(b.data!) as { msg: string; success?: boolean; output?: { error?: string } },
    );
    const completed = messages.find((m) => m.msg === 'process_completed')!;
    expect(completed.success).toBe(false);
    expect(completed.output!.error).toMatch(/not allowed/i);
    expect(completed.output!.error).not.toMatch(PASSWD);
    expect(await listFiles(outputsDir)).toEqual(before);
  });

  it('should refuse a symlink in the upload folder pointing at a planted file', async () => {
    await mkdir(join(uploadsDir, 'evil'), { recursive: true });
    await symlink(planted, join(uploadsDir, 'evil', 'clip.wav'));
    const { event, data } = await callPredict(ts.url, [fileData(join(uploadsDir, 'evil', 'clip.wav'))]);
    expect(event).toBe('error');
    expect(data).toMatch(/not allowed/i);
  });

  it('should still accept its own uploads, outputs and examples', async () => {
    const [upload] = await uploadFiles(ts.url, [{ bytes: SPEECH, filename: 'ok.wav' }]);
    const first = await callPredict(ts.url, [fileData(upload!)]);
    expect(first.event).toBe('complete');
    const processed = join(dirname((JSON.parse(first.data) as [unknown, unknown, unknown, { path: string }])[3].path), 'processed_audio.wav');
    expect((await callPredict(ts.url, [fileData(processed)])).event).toBe('complete');
  });
});

describe('CVE-2024-4325, CVE-2024-47167, CVE-2024-1183, CVE-2026-59806: SSRF through URL inputs', () => {
  let target: Server;
  let targetUrl: string;
  const hits: string[] = [];

  beforeAll(async () => {
    target = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'audio/wav' }).end(SPEECH);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => target?.close(resolve));
  });

  it('should refuse URL inputs on every call route and never contact the URL', async () => {
    const url = `${targetUrl}/clip.wav`;
    const inputs = [
      { path: url, meta: { _type: 'gradio.FileData' } },
      { path: url, url, orig_name: 'clip.wav', meta: { _type: 'gradio.FileData' } },
      { path: url },
    ];
    for (const input of inputs) {
      const { event, data } = await callPredict(ts.url, [input, 'utterance', false]);
      expect(event).toBe('error');
      expect(data).toMatch(/url|upload/i);
      const direct = await postJson(`${ts.url}/gradio_api/run/predict`, { data: [input] });
      expect(direct.status).toBeGreaterThanOrEqual(400);
      await postJson(`${ts.url}/gradio_api/queue/join`, { data: [input], fn_index: 0, session_hash: 'ssrf' });
      const completed = sseBlocks((await readEventStream(`${ts.url}/gradio_api/queue/data?session_hash=ssrf`)).text)
        .map((b) => JSON.parse(b.data!) as { msg: string; success?: boolean })
        .find((m) => m.msg === 'process_completed');
      expect(completed?.success).toBe(false);
    }
    expect(hits).toEqual([]);
  });

  it('should neither fetch nor redirect to a URL given to file= or proxy=', async () => {
    for (const path of [`/gradio_api/file=${targetUrl}/x.wav`, `/file=${targetUrl}/x.wav`, `/gradio_api/proxy=${targetUrl}/x`, `/proxy=${targetUrl}/x`]) {
      const response = await rawRequest(ts.url, path);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.headers.location).toBeUndefined();
    }
    expect(hits).toEqual([]);
  });
});

describe('CVE-2024-1727, CVE-2024-47084, CVE-2024-47165, CVE-2025-5320: cross-origin requests and DNS rebinding', () => {
  it('should refuse an upload from another origin with 403 and store nothing', async () => {
    const before = await listFiles(uploadsDir);
    const response = await fetch(`${ts.url}/gradio_api/upload`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example' },
      body: formOf([{ bytes: SPEECH, filename: 'csrf.wav' }]),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await listFiles(uploadsDir)).toEqual(before);
  });

  it.each(['null', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example', 'file://', 'https://evil.example:7860'])(
    'should refuse Origin: %s with 403',
    async (origin) => {
      for (const [method, path] of [
        ['GET', '/config'],
        ['POST', '/gradio_api/queue/join'],
        ['POST', '/api/v1/analyze'],
      ] as const) {
        const response = await rawRequest(ts.url, path, {
          method,
          headers: { Origin: origin, 'Content-Type': 'text/plain' },
          body: method === 'POST' ? '{"data":[],"fn_index":0,"session_hash":"x"}' : undefined,
        });
        expect(response.status, `${method} ${path}`).toBe(403);
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
      }
    },
  );

  it('should refuse a cross-site request without Origin (Sec-Fetch-Site: cross-site)', async () => {
    const response = await rawRequest(ts.url, '/gradio_api/upload', {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(response.status).toBe(403);
  });

  it('should answer a preflight from another origin without CORS headers', async () => {
    const response = await rawRequest(ts.url, '/gradio_api/upload', {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.status).toBeGreaterThanOrEqual(400);
  });

  it.each(['evil.example', `evil.example:${7860}`, 'localhost.evil.example', '127.0.0.1.nip.io'])(
    'should refuse Host: %s with 403 (DNS rebinding)',
    async (host) => {
      for (const [method, path] of [
        ['GET', '/config'],
        ['GET', `/gradio_api/file=${planted}`],
        ['POST', '/gradio_api/upload'],
      ] as const) {
        const response = await rawRequest(ts.url, path, { method, headers: { Host: host } });
        expect(response.status, `${method} ${path}`).toBe(403);
      }
    },
  );

  it('should allow local origins and echo them', async () => {
    for (const origin of [`http://localhost:${ts.server.port}`, `http://127.0.0.1:${ts.server.port}`]) {
      const response = await fetch(`${ts.url}/gradio_api/upload`, {
        method: 'POST',
        headers: { Origin: origin },
        body: formOf([{ bytes: SPEECH, filename: 'local.wav' }]),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const page = await rawRequest(ts.url, '/config', { headers: { Host: `localhost:${ts.server.port}`, Origin: `http://localhost:${ts.server.port}` } });
    expect(page.status).toBe(200);
  });
});

describe('CVE-2024-8966, CVE-2023-41626: upload limits and names', () => {
  let small: TestServer;

  beforeAll(async () => {
    small = await startTestServer({ modelDir: undefined, limits: { maxUploadBytes: 20_000, maxFiles: 2, maxParts: 4 } });
  });

  afterAll(async () => {
    await small?.close();
  });

  it('should refuse a file name of 300 characters with 400 and store nothing', async () => {
    const before = await listFiles(uploadsDir);
    const response = await fetch(`${ts.url}/gradio_api/upload`, { method: 'POST', body: formOf([{ bytes: SPEECH, filename: `${'a'.repeat(296)}.wav` }]) });
    expect(response.status).toBe(400);
    expect(await listFiles(uploadsDir)).toEqual(before);
  });

  it('should refuse too many files and too many parts with 400 and store nothing', async () => {
    const tiny = new Uint8Array([1, 2, 3]);
    const files = await fetch(`${small.url}/gradio_api/upload`, {
      method: 'POST',
      body: formOf([1, 2, 3, 4].map((i) => ({ bytes: tiny, filename: `f${i}.bin` }))),
    });
    expect(files.status).toBe(400);
    const form = formOf([{ bytes: tiny, filename: 'one.bin' }]);
    for (let i = 0; i < 10; i++) form.append(`field${i}`, 'x');
    const parts = await fetch(`${small.url}/gradio_api/upload`, { method: 'POST', body: form });
    expect(parts.status).toBe(400);
    expect(await listFiles(small.server.folders.uploadsDir)).toEqual([]);
  });

  it('should refuse an upload over the size limit with 413 and store nothing', async () => {
    const response = await fetch(`${small.url}/gradio_api/upload`, { method: 'POST', body: formOf([{ bytes: new Uint8Array(50_000), filename: 'big.bin' }]) });
    expect(response.status).toBe(413);
    const rest = await fetch(`${small.url}/api/v1/analyze`, { method: 'POST', body: new Uint8Array(50_000) });
    expect(rest.status).toBe(413);
    expect(await listFiles(small.server.folders.uploadsDir)).toEqual([]);
  });

  it('should refuse a huge multipart boundary quickly', async () => {
    const boundary = 'b'.repeat(100_000);
    const response = await fetch(`${small.url}/gradio_api/upload`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\nx\r\n--${boundary}--\r\n`,
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it.each([
    ['../../evil.sh', 'evil.sh'],
    ['..\\..\\evil.bat', 'evil.bat'],
    ['/etc/cron.d/evil', 'evil'],
    ['.htaccess', 'htaccess'],
    ['a<b>:c|d?*.wav', 'a_b__c_d__.wav'],
  ])('should store the upload named %s inside the upload folder as %s', async (name, stored) => {
    const [path] = await uploadFiles(ts.url, [{ bytes: new TextEncoder().encode(`#!/bin/sh\n# ${name}\n`), filename: name }]);
    expect(dirname(dirname(path!))).toBe(uploadsDir);
    expect(path!.split('/').pop()).toBe(stored);
    expect(await listFiles(ts.tmp)).not.toContain(`/${stored}`);
  });
});

describe('CVE-2024-47872: stored XSS through uploads', () => {
  it.each([
    ['x.html', '<html><script>alert(1)</script></html>', /html/],
    ['x.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', /svg/],
    ['x.js', 'alert(1)', /javascript/],
  ])('should serve an uploaded %s as an attachment that no browser renders', async (name, content, forbidden) => {
    const [path] = await uploadFiles(ts.url, [{ bytes: new TextEncoder().encode(content), filename: name, type: 'text/html' }]);
    const response = await fetch(`${ts.url}/gradio_api/file=${path!}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).not.toMatch(forbidden);
    expect(response.headers.get('content-type')).not.toMatch(/^text\//);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('CVE-2024-1561, CVE-2024-2206, CVE-2024-47166: Gradio routes that must not exist', () => {
  it.each([
    ['POST', '/component_server'],
    ['POST', '/gradio_api/component_server'],
    ['POST', '/component_server/'],
    ['GET', '/proxy=http://127.0.0.1:1/x'],
    ['GET', '/gradio_api/proxy=http://127.0.0.1:1/x'],
    ['GET', '/custom_component/abc/def/index.js'],
    ['GET', '/gradio_api/custom_component/abc/def/../../../../etc/passwd'],
    ['GET', '/monitoring'],
    ['GET', '/gradio_api/monitoring'],
    ['GET', '/gradio_api/vibe-edit'],
    ['GET', '/dev/reload'],
  ])('should answer 404 to %s %s', async (method, path) => {
    const response = await rawRequest(ts.url, path, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Direct-Url': 'http://127.0.0.1:1' },
      body: method === 'POST' ? '{"component_id":1,"fn_name":"move_resource_to_block_cache","data":"/etc/passwd","session_hash":"x"}' : undefined,
    });
    expect(response.status).toBe(404);
    expect(response.text).not.toMatch(PASSWD);
  });
});
