/**
 * Nothing a client sends or holds open takes the server down (issue 12, parts 2, 4 and 5), at a
 * small scale on loopback (pnpm stress measures the large one): uploads refused at once when too
 * many are in flight, REST refusing before it reads the body, data URLs within the upload limit,
 * heartbeat and connection floods that leave health and predictions served, sockets that send
 * nothing closed, long upload names stored, client aborts typed.
 * @module
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { testModelDir } from '@e2v/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { holdRequest, idleSocket, openStream, until, type HeldRequest, type OpenStream } from '../support/held-request.js';
import {
  GOLDEN_INPUTS_DIR,
  fileData,
  formOf,
  postJson,
  readEventStream,
  sseBlocks,
  startTestServer,
  uploadFiles,
  type TestServer,
} from '../support/e2e-server.js';

const SPEECH = readFileSync(join(GOLDEN_INPUTS_DIR, 'speech_8k_mono.wav'));
const MB = 1024 * 1024;

/** The head of a multipart body with one file part named `files` (boundary `b`). */
function multipartHead(filename: string): Uint8Array {
  return new TextEncoder().encode(
    `--b\r\nContent-Disposition: form-data; name="files"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
}
const MULTIPART = { 'Content-Type': 'multipart/form-data; boundary=b' };

const held: HeldRequest[] = [];
const streams: OpenStream[] = [];
afterEach(() => {
  for (const request of held.splice(0)) request.abort();
  for (const stream of streams.splice(0)) stream.close();
});

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({
    modelDir: testModelDir('tiny-a'),
    concurrency: 1,
    maxQueued: 0,
    limits: { maxConcurrentUploads: 2, maxUploadBytes: 2 * MB, maxStreams: 20, maxConnections: 64, headersTimeoutMs: 500 },
  });
});
afterAll(async () => {
  await ts?.close();
});

/** Runs a predict through the queue (join, then the session stream) and returns its messages. */
async function predictThroughQueue(base: string, session: string): Promise<{ msg: string; success?: boolean }[]> {
  const [path] = await uploadFiles(base, [{ bytes: SPEECH, filename: 'speech.wav' }]);
  const join = await postJson(`${base}/gradio_api/queue/join`, { data: [fileData(path!), 'utterance', false], fn_index: 0, session_hash: session });
  expect(join.status).toBe(200);
  const { text } = await readEventStream(`${base}/gradio_api/queue/data?session_hash=${session}`);
  return sseBlocks(text).map((block) => JSON.parse(block.data!) as { msg: string; success?: boolean });
}

describe('uploads in flight', () => {
  it('should refuse a third concurrent upload at once (cap 2) with 503 and Retry-After, and take uploads again after', async () => {
    const declared = { ...MULTIPART, 'Content-Length': String(MB) };
    held.push(holdRequest(ts.url, '/gradio_api/upload', declared, multipartHead('a.bin')));
    held.push(holdRequest(ts.url, '/gradio_api/upload', declared, multipartHead('b.bin')));
    await new Promise((r) => setTimeout(r, 100)); // both are being read
    const third = holdRequest(ts.url, '/gradio_api/upload', declared, multipartHead('c.bin'));
    held.push(third);
    const refused = await third.response;
    expect(refused.ms).toBeLessThan(100);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(refused.text)).toEqual({ detail: expect.stringContaining('too many uploads') });
    const rest = holdRequest(ts.url, '/api/v1/analyze', { 'Content-Length': String(MB) }, new Uint8Array(10));
    held.push(rest);
    expect(await rest.response).toMatchObject({ status: 503, headers: { 'retry-after': expect.stringMatching(/^\d+$/) } });
    for (const request of held.splice(0)) request.abort();
    await until(
      async () => (await fetch(`${ts.url}/gradio_api/upload`, { method: 'POST', body: formOf([{ bytes: SPEECH, filename: 's.wav' }]) })).status === 200,
      5000,
      'an upload accepted again',
    );
    expect((await readdir(ts.server.folders.uploadsDir)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('should answer REST 429 before reading the body while the queue is full', async () => {
    // concurrency 1, maxQueued 0: the first analyze holds the only place while its body arrives
    const first = holdRequest(ts.url, '/api/v1/analyze', { 'Content-Length': String(SPEECH.length) }, SPEECH.subarray(0, 1000));
    held.push(first);
    await new Promise((r) => setTimeout(r, 100)); // its headers are in: it holds the place
    const second = holdRequest(ts.url, '/api/v1/analyze', { 'Content-Length': String(1.5 * MB) }, new Uint8Array(1000));
    held.push(second);
    const refused = await second.response;
    expect(refused.ms).toBeLessThan(100);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'E2V_ERR_ENGINE_QUEUE_FULL' } });
    first.finish(SPEECH.subarray(1000));
    expect((await first.response).status).toBe(200);
  });

  it('should refuse a client that waits for 100 Continue without asking for its body, and ask for it otherwise', async () => {
    /** POSTs SPEECH with `Expect: 100-continue`, sending it only when the server says so. */
    const expecting = (): Promise<{ status: number; continued: boolean }> =>
      new Promise((resolve, reject) => {
        const { hostname, port } = new URL(ts.url);
        const req = request({
          host: hostname,
          port,
          path: '/api/v1/analyze',
          method: 'POST',
          agent: false,
          headers: { Expect: '100-continue', 'Content-Length': String(SPEECH.length) },
        });
        let continued = false;
        req.on('continue', () => {
          continued = true;
          req.end(SPEECH);
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, continued }));
          if (!continued) req.destroy();
        });
        req.on('error', reject);
        req.flushHeaders();
      });
    const first = holdRequest(ts.url, '/api/v1/analyze', { 'Content-Length': String(SPEECH.length) }, SPEECH.subarray(0, 1000));
    held.push(first);
    await new Promise((r) => setTimeout(r, 100)); // it holds the only queue place
    expect(await expecting()).toEqual({ status: 429, continued: false });
    first.finish(SPEECH.subarray(1000));
    expect((await first.response).status).toBe(200);
    expect(await expecting()).toEqual({ status: 200, continued: true });
  });

  it('should refuse a data URL whose audio is over the upload limit with 413', async () => {
    const dataUrl = `data:audio/wav;base64,${Buffer.alloc(3 * MB, 1).toString('base64')}`;
    const direct = await postJson(`${ts.url}/gradio_api/run/predict`, { data: [{ name: 'big.wav', data: dataUrl }, 'utterance', false] });
    expect(direct.status).toBe(413);
    const small = `data:audio/wav;base64,${SPEECH.toString('base64')}`;
    const ok = await postJson(`${ts.url}/gradio_api/run/predict`, { data: [small, 'utterance', false] });
    expect(ok.status).toBe(200);
  });
});

describe('floods', () => {
  it('should stay within the stream cap under a heartbeat flood, and keep serving health and a predict', async () => {
    for (let i = 0; i < 60; i++) streams.push(openStream(ts.url, `/gradio_api/heartbeat/flood-${i}`));
    await Promise.all(streams.map((s) => s.first));
    await until(() => streams.filter((s) => !s.ended()).length <= 20, 5000, 'at most 20 heartbeat streams open');
    expect(streams.slice(-10).every((s) => !s.ended())).toBe(true); // the newest stay
    const started = performance.now();
    const health = await fetch(`${ts.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
    const messages = await predictThroughQueue(ts.url, 'legit-during-flood');
    expect(messages.find((m) => m.msg === 'process_completed')).toMatchObject({ success: true });
  });

  it('should close the oldest idle connections so that a flood of silent sockets leaves the server reachable', async () => {
    let closed = 0;
    const sockets = await Promise.all(
      Array.from({ length: 80 }, async () => {
        const socket = await idleSocket(ts.url);
        socket.once('close', () => (closed += 1));
        return socket;
      }),
    );
    try {
      const health = await fetch(`${ts.url}/api/v1/health`);
      expect(health.status).toBe(200);
      await until(() => closed >= 80 - 64, 5000, 'the oldest idle sockets closed by the server');
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  it('should close a connection that sends nothing after the header timeout', async () => {
    const socket = await idleSocket(ts.url);
    const started = performance.now();
    await new Promise((resolve) => socket.once('close', resolve));
    // 500 ms timeout, checked every second
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('names and aborts', () => {
  it.each([
    ['214 ASCII characters', `${'a'.repeat(210)}.wav`],
    ['255 ASCII characters', `${'b'.repeat(251)}.wav`],
    ['80 CJK characters', `${'录'.repeat(80)}.wav`],
    ['120 CJK characters', `${'音'.repeat(120)}.wav`],
  ])('should store an upload named with %s within 255 bytes, never a 500', async (_, name) => {
    const [path] = await uploadFiles(ts.url, [{ bytes: SPEECH, filename: name }]);
    const stored = path!.split('/').pop()!;
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(255);
    expect(stored.endsWith('.wav')).toBe(true);
    if (Buffer.byteLength(name) <= 255) expect(stored).toBe(name);
    expect((await fetch(`${ts.url}/gradio_api/file=${path!}`)).status).toBe(200);
  });

  it('should leave no temporary file behind when a client cuts a raw body', async () => {
    const cut = holdRequest(ts.url, '/api/v1/analyze', { 'Content-Length': String(MB) }, new Uint8Array(100_000));
    await new Promise((r) => setTimeout(r, 100));
    cut.abort();
    await until(async () => (await readdir(ts.server.folders.uploadsDir)).every((name) => !name.startsWith('.')), 5000, 'temporary files removed');
    expect((await fetch(`${ts.url}/api/v1/health`)).status).toBe(200);
  });
});
