import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listModels, loadRegistry, parseRegistry, type Registry } from '@e2v/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PullError } from '../errors.js';
import type { PullProgressEvent } from './events.js';
import { pullModel, type PullOptions } from './pull.js';

// ---------------------------------------------------------------------------
// The golden tiny checkpoint, served by a fake hub on 127.0.0.1.

const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/emotion2vec/checkpoints/tiny-a/', import.meta.url));
const NAMES = ['model.pt', 'config.yaml', 'tokens.txt'] as const;
type Name = (typeof NAMES)[number];
const DATA = Object.fromEntries(NAMES.map((n) => [n, readFileSync(path.join(FIXTURE, n))])) as Record<Name, Buffer>;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const SHA = Object.fromEntries(NAMES.map((n) => [n, sha256(DATA[n])])) as Record<Name, string>;
const MODEL = 'emotion2vec_plus_large';
const LAST_MODIFIED = 'Tue, 04 Jun 2024 08:00:00 GMT';

interface Seen {
  server: 'hub' | 'cdn';
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  authorization: string | undefined;
}

/**
 * Imitates both hubs on one origin (Hugging Face `/<repo>/resolve/main/<file>` +
 * `/api/models/<repo>/tree/main`; ModelScope `/api/v1/models/<id>/repo?...` +
 * `/repo/files`), plus a "CDN" on a second origin that Hugging Face LFS files
 * redirect to. Range requests, If-Range, and injectable faults.
 */
class FakeHub {
  readonly hub = http.createServer((req, res) => this.#route('hub', req, res));
  readonly cdn = http.createServer((req, res) => this.#route('cdn', req, res));
  base = '';
  cdnBase = '';
  seen: Seen[] = [];
  /** Destroy the socket after this many body bytes of the next response for the file. */
  cut = new Map<Name, number>();
  /** Serve these files with one byte changed (same length, same published sha256). */
  corrupt = new Set<Name>();
  /** Answer every Range request with the full file and 200. */
  ignoreRange = false;
  /** Strong ETag of each file on the CDN. */
  etag = new Map<Name, string>(NAMES.map((n) => [n, `"v1-${n}"`]));
  /** Answer the next `times` first-hop requests for the file with `status` (0: reset the connection). */
  fail = new Map<Name, { status: number; times: number; headers?: Record<string, string> }>();
  /** Bytes per 10 ms tick (slow transfer), 0 = as fast as possible. */
  slow = 0;
  /** Answer every request with a 206 starting at byte 1 (a broken server). */
  wrongRange = false;
  /** Which sha256 headers the Hugging Face resolve redirect of model.pt carries. */
  shaHeaders: 'x-linked-etag+etag' | 'etag' | 'none' = 'x-linked-etag+etag';
  /** What the Hugging Face tree listing answers. */
  listing: 'ok' | 'http-500' | 'garbage' = 'ok';

  async start(): Promise<void> {
    this.base = await listen(this.hub);
    this.cdnBase = await listen(this.cdn);
  }

  async stop(): Promise<void> {
    for (const s of [this.hub, this.cdn]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }

  reset(): void {
    this.seen = [];
    this.cut.clear();
    this.corrupt.clear();
    this.ignoreRange = false;
    this.etag = new Map(NAMES.map((n) => [n, `"v1-${n}"`]));
    this.fail.clear();
    this.slow = 0;
    this.wrongRange = false;
    this.shaHeaders = 'x-linked-etag+etag';
    this.listing = 'ok';
  }

  /** File requests (not listings) seen, in order. */
  fileRequests(): Seen[] {
    return this.seen.filter((s) => !s.path.includes('/tree/') && !s.path.includes('/repo/files'));
  }

  #route(server: 'hub' | 'cdn', req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const h = req.headers;
    this.seen.push({
      server,
      path: url.pathname + url.search,
      range: h.range,
      ifRange: h['if-range'] as string | undefined,
      authorization: h.authorization,
    });
    const json = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFound = (): void => {
      res.writeHead(404, { 'x-error-code': 'EntryNotFound', 'x-error-message': 'Entry not found' });
      res.end('Entry not found');
    };
    let m: RegExpExecArray | null;
    if (server === 'cdn') {
      m = /^\/blobs\/([^/]+)$/.exec(url.pathname);
      const name = m?.[1] as Name | undefined;
      if (name === undefined || !NAMES.includes(name)) return notFound();
      return this.#serve(req, res, name, { etag: this.etag.get(name) ?? '"x"' });
    }
    // Hugging Face listing
    if ((m = /^\/api\/models\/emotion2vec\/([^/]+)\/tree\/main$/.exec(url.pathname))) {
      if (m[1] !== MODEL) return notFound();
      if (this.listing === 'http-500') {
        res.writeHead(500);
        return void res.end('oops');
      }
      if (this.listing === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"truncated": ');
      }
      return json(
        NAMES.map((n) => ({
          type: 'file',
          path: n,
          size: DATA[n].length,
          oid: createHash('sha1').update(DATA[n]).digest('hex'),
          ...(n === 'model.pt' ? { lfs: { oid: SHA[n], size: DATA[n].length, pointerSize: 134 } } : {}),
        })),
      );
    }
    // Hugging Face resolve
    if ((m = /^\/emotion2vec\/([^/]+)\/resolve\/main\/([^/]+)$/.exec(url.pathname))) {
      const name = m[2] as Name;
      if (m[1] !== MODEL || !NAMES.includes(name)) return notFound();
      if (this.#injectFailure(name, res)) return;
      if (name === 'model.pt') {
        // LFS file: redirect to the CDN, publishing the sha256 like the real hub
        res.writeHead(302, {
          location: `${this.cdnBase}/blobs/${name}?X-Amz-Signature=${Date.now()}`,
          ...(this.shaHeaders === 'x-linked-etag+etag' ? { 'x-linked-etag': `"${SHA[name]}"`, 'x-linked-size': String(DATA[name].length) } : {}),
          ...(this.shaHeaders !== 'none' ? { etag: `"${SHA[name]}"` } : {}),
          'x-repo-commit': '0123456789abcdef0123456789abcdef01234567',
        });
        return void res.end();
      }
      // plain git file: ETag is the git blob sha1, not a sha256
      return this.#serve(req, res, name, { etag: `"${createHash('sha1').update(DATA[name]).digest('hex')}"` });
    }
    // ModelScope listing
    if ((m = /^\/api\/v1\/models\/iic\/([^/]+)\/repo\/files$/.exec(url.pathname))) {
      if (m[1] !== MODEL || url.searchParams.get('Revision') !== 'master') return notFound();
      return json({
        Code: 200,
        Data: { Files: NAMES.map((n) => ({ Name: n, Path: n, Type: 'blob', Size: DATA[n].length, Sha256: SHA[n], IsLFS: n === 'model.pt' })) },
        Success: true,
      });
    }
    // ModelScope file
    if ((m = /^\/api\/v1\/models\/iic\/([^/]+)\/repo$/.exec(url.pathname))) {
      const name = url.searchParams.get('FilePath') as Name;
      if (m[1] !== MODEL || !NAMES.includes(name) || url.searchParams.get('Revision') !== 'master') return notFound();
      if (this.#injectFailure(name, res)) return;
      return this.#serve(req, res, name, { lastModified: LAST_MODIFIED });
    }
    notFound();
  }

  #injectFailure(name: Name, res: http.ServerResponse): boolean {
    const f = this.fail.get(name);
    if (f === undefined || f.times <= 0) return false;
    f.times--;
    if (f.status === 0) {
      res.socket?.destroy(); // connection reset before any answer
      return true;
    }
    res.writeHead(f.status, f.headers ?? {});
    res.end(`error ${f.status}`);
    return true;
  }

  #serve(req: http.IncomingMessage, res: http.ServerResponse, name: Name, v: { etag?: string; lastModified?: string }): void {
    let data = DATA[name];
    if (this.corrupt.has(name)) {
      data = Buffer.from(data);
      data[data.length >> 1] = (data[data.length >> 1] ?? 0) ^ 0xff;
    }
    const size = data.length;
    const headers: Record<string, string> = { 'accept-ranges': 'bytes' };
    if (v.etag !== undefined) headers['etag'] = v.etag;
    if (v.lastModified !== undefined) headers['last-modified'] = v.lastModified;
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const validatorOk = ifRange === undefined || ifRange === v.etag || ifRange === v.lastModified;
    if (this.wrongRange) {
      start = 1;
      status = 206;
      headers['content-range'] = `bytes 1-${size - 1}/${size}`;
    } else if (range !== null && !this.ignoreRange && validatorOk) {
      start = Number(range[1]);
      if (start >= size) {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` });
        return void res.end();
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    }
    headers['content-length'] = String(size - start);
    res.writeHead(status, headers);
    const body = data.subarray(start);
    const cut = this.cut.get(name);
    if (cut !== undefined) {
      this.cut.delete(name);
      // send exactly `cut` bytes, give the client time to read them, then kill the connection
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 80));
      return;
    }
    if (this.slow > 0) {
      let off = 0;
      const tick = (): void => {
        if (res.destroyed) return;
        const next = body.subarray(off, off + this.slow);
        off += next.length;
        if (off >= body.length) return void res.end(next);
        res.write(next);
        setTimeout(tick, 10);
      };
      return tick();
    }
    res.end(body);
  }
}

function listen(server: http.Server | net.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

// ---------------------------------------------------------------------------

const hub = new FakeHub();
let tmp: string;
let modelsDir: string;

beforeAll(async () => {
  await hub.start();
});
afterAll(async () => {
  await hub.stop();
});
beforeEach(async () => {
  hub.reset();
  tmp = await mkdtemp(path.join(tmpdir(), 'e2v-pull-'));
  modelsDir = path.join(tmp, 'models');
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A real small converter: checks the three files, copies them and writes a model.json. */
const convertCalls: { fromDir: string; outDir: string }[] = [];
async function copyConvert(fromDir: string, outDir: string): Promise<{ files: string[] }> {
  convertCalls.push({ fromDir, outDir });
  await mkdir(outDir, { recursive: true });
  const sums: Record<string, string> = {};
  for (const n of NAMES) {
    const buf = await readFile(path.join(fromDir, n));
    sums[n] = sha256(buf);
    if (sums[n] !== SHA[n]) throw new Error(`convert got a wrong ${n}`);
    await copyFile(path.join(fromDir, n), path.join(outDir, n));
  }
  await writeFile(path.join(outDir, 'model.json'), JSON.stringify({ name: MODEL, source: { files: NAMES, sha256: sums } }));
  return { files: [...NAMES] };
}

function opts(over: Partial<PullOptions> = {}, env: NodeJS.ProcessEnv = {}): PullOptions {
  return {
    modelsDir,
    env: { HF_ENDPOINT: hub.base, MODELSCOPE_ENDPOINT: hub.base, ...env },
    retryDelayMs: 5,
    connectTimeoutMs: 2000,
    ...over,
  };
}

async function caught(p: Promise<unknown>): Promise<PullError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PullError);
    return err as PullError;
  }
  throw new Error('expected the pull to fail');
}

const cacheDir = (): string => path.join(modelsDir, '.cache', MODEL);
const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );
const partSize = async (n: Name): Promise<number> => (await stat(path.join(cacheDir(), `${n}.part`))).size;

describe('pullModel from the Hugging Face layout', () => {
  it('should download the three files, verify model.pt against X-Linked-Etag, and convert', async () => {
    convertCalls.length = 0;
    const events: PullProgressEvent[] = [];
    const report = await pullModel(MODEL, opts({ convert: copyConvert, onProgress: (e) => events.push(e), progressIntervalMs: 0 }, { HF_TOKEN: 'hf_secret' }));

    expect(report.source).toBe('huggingface');
    expect(report.downloadDir).toBe(cacheDir());
    expect(report.outDir).toBe(path.join(modelsDir, MODEL));
    expect(convertCalls).toEqual([{ fromDir: cacheDir(), outDir: path.join(modelsDir, MODEL) }]);
    expect(report.converted).toBe(true);
    expect(report.convertResult).toEqual({ files: [...NAMES] });
    for (const n of NAMES) {
      expect(sha256(await readFile(path.join(cacheDir(), n)))).toBe(SHA[n]);
      expect(await exists(path.join(cacheDir(), `${n}.part`))).toBe(false);
    }
    const byName = Object.fromEntries(report.files.map((f) => [f.name, f]));
    expect(byName['model.pt']).toMatchObject({
      sha256: SHA['model.pt'],
      verified: true,
      shaSource: 'x-linked-etag',
      cached: false,
      resumedFrom: 0,
      bytes: DATA['model.pt'].length,
    });
    // plain git files carry no sha256: reported as not verified
    expect(byName['config.yaml']).toMatchObject({ sha256: SHA['config.yaml'], verified: false, expectedSha256: null });
    expect(report.notes).toEqual([
      expect.stringMatching(/^config\.yaml was not verified: Hugging Face publishes no sha256/),
      expect.stringMatching(/^tokens\.txt was not verified/),
    ]);

    // URL layout, and the token goes to the hub but never to the CDN
    expect(hub.seen.map((s) => `${s.server} ${s.path.replace(/\?X-Amz.*/, '')}`)).toEqual([
      `hub /api/models/emotion2vec/${MODEL}/tree/main`,
      `hub /emotion2vec/${MODEL}/resolve/main/model.pt`,
      'cdn /blobs/model.pt',
      `hub /emotion2vec/${MODEL}/resolve/main/config.yaml`,
      `hub /emotion2vec/${MODEL}/resolve/main/tokens.txt`,
    ]);
    for (const s of hub.seen) expect(s.authorization).toBe(s.server === 'hub' ? 'Bearer hf_secret' : undefined);

    // progress: start, progress up to the full size, done, per file; then convert
    const forModel = events.filter((e) => 'file' in e && e.file === 'model.pt');
    expect(forModel[0]).toMatchObject({ type: 'file-start', index: 0, count: 3, bytesDone: 0 });
    expect(forModel.at(-1)).toMatchObject({ type: 'file-done', verified: true, cached: false, bytes: DATA['model.pt'].length });
    const last = forModel.filter((e) => e.type === 'file-progress').at(-1);
    expect(last).toMatchObject({ bytesDone: DATA['model.pt'].length, bytesTotal: DATA['model.pt'].length });
    expect(events.map((e) => e.type).slice(-2)).toEqual(['convert-start', 'convert-done']);

    // e2v model list
    const list = await listModels(modelsDir, loadRegistry());
    expect(list.map((m) => [m.id, m.installed])).toEqual([
      [MODEL, true],
      ['emotion2vec_plus_base', false],
      ['emotion2vec_plus_seed', false],
    ]);
  });

  it('should reuse files an earlier pull completed, without touching the network', async () => {
    await pullModel(MODEL, opts());
    hub.seen = [];
    const events: PullProgressEvent[] = [];
    const report = await pullModel(MODEL, opts({ onProgress: (e) => events.push(e) }));
    expect(hub.seen).toEqual([]);
    expect(report.files.map((f) => [f.name, f.cached, f.verified])).toEqual([
      ['model.pt', true, true],
      ['config.yaml', true, false],
      ['tokens.txt', true, false],
    ]);
    expect(events.map((e) => e.type)).toEqual(['file-done', 'file-done', 'file-done']);
  });

  it('should resume a transfer cut halfway with a Range request on the next pull', async () => {
    const half = Math.floor(DATA['model.pt'].length / 2);
    hub.cut.set('model.pt', half);
    const err = await caught(pullModel(MODEL, opts({ retries: 0 })));
    expect(err.code).toBe('E2V_ERR_PULL_INTERRUPTED');
    // the server sent `half` bytes; the client keeps what it read before the connection died
    const kept = await partSize('model.pt');
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(half);
    expect(err.message).toMatch(new RegExp(`model\\.pt was interrupted at ${kept} of ${DATA['model.pt'].length} bytes`));
    expect(await exists(path.join(cacheDir(), 'model.pt'))).toBe(false);

    hub.seen = [];
    const report = await pullModel(MODEL, opts({ convert: copyConvert }));
    const cdn = hub.seen.filter((s) => s.server === 'cdn');
    expect(cdn).toHaveLength(1);
    expect(cdn[0]).toMatchObject({ range: `bytes=${kept}-`, ifRange: '"v1-model.pt"' });
    const pt = report.files[0];
    expect(pt).toMatchObject({ name: 'model.pt', resumedFrom: kept, verified: true, sha256: SHA['model.pt'] });
    expect(sha256(await readFile(path.join(cacheDir(), 'model.pt')))).toBe(SHA['model.pt']);
    expect(report.converted).toBe(true);
  });

  it('should resume by itself within one pull when retries are left', async () => {
    hub.cut.set('model.pt', 100_000);
    const events: PullProgressEvent[] = [];
    const report = await pullModel(MODEL, opts({ onProgress: (e) => events.push(e) }));
    const ranges = hub.seen.filter((s) => s.server === 'cdn').map((s) => s.range);
    expect(ranges).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
    const from = Number(/\d+/.exec(ranges[1] ?? '')?.[0]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(100_000);
    expect(report.files[0]).toMatchObject({ resumedFrom: from, verified: true });
    expect(events.filter((e) => e.type === 'file-retry')).toEqual([expect.objectContaining({ file: 'model.pt', attempt: 2 })]);
  });

  it('should restart cleanly from 0 when the server answers a Range request with 200', async () => {
    hub.cut.set('model.pt', 200_000);
    await caught(pullModel(MODEL, opts({ retries: 0 })));
    const kept = await partSize('model.pt');
    expect(kept).toBeGreaterThan(0);
    hub.ignoreRange = true;
    hub.seen = [];
    const report = await pullModel(MODEL, opts());
    expect(hub.seen.find((s) => s.server === 'cdn')?.range).toBe(`bytes=${kept}-`);
    expect(report.files[0]).toMatchObject({ resumedFrom: 0, verified: true, bytes: DATA['model.pt'].length });
    expect(sha256(await readFile(path.join(cacheDir(), 'model.pt')))).toBe(SHA['model.pt']);
  });

  it('should restart from 0 when If-Range says the remote file changed', async () => {
    hub.cut.set('model.pt', 300_000);
    await caught(pullModel(MODEL, opts({ retries: 0 })));
    const kept = await partSize('model.pt');
    hub.etag.set('model.pt', '"v2-model.pt"');
    hub.seen = [];
    const report = await pullModel(MODEL, opts());
    expect(hub.seen.find((s) => s.server === 'cdn')).toMatchObject({ range: `bytes=${kept}-`, ifRange: '"v1-model.pt"' });
    expect(report.files[0]).toMatchObject({ resumedFrom: 0, verified: true });
    expect(sha256(await readFile(path.join(cacheDir(), 'model.pt')))).toBe(SHA['model.pt']);
  });

  it('should accept a .part that is already complete (416 Range Not Satisfiable)', async () => {
    // what a transfer killed after its last byte but before the rename leaves behind
    const n = DATA['model.pt'].length;
    await mkdir(cacheDir(), { recursive: true });
    await writeFile(path.join(cacheDir(), 'model.pt.part'), DATA['model.pt']);
    const url = `${hub.base}/emotion2vec/${MODEL}/resolve/main/model.pt`;
    await writeFile(path.join(cacheDir(), 'model.pt.part.json'), JSON.stringify({ url, validator: '"v1-model.pt"', sha256: SHA['model.pt'], total: n }));
    const report = await pullModel(MODEL, opts());
    expect(hub.seen.find((s) => s.server === 'cdn')).toMatchObject({ range: `bytes=${n}-`, ifRange: '"v1-model.pt"' });
    expect(report.files[0]).toMatchObject({ resumedFrom: n, verified: true, sha256: SHA['model.pt'] });
    expect(await exists(path.join(cacheDir(), 'model.pt.part.json'))).toBe(false);
  });

  it.each([
    ['x-linked-etag+etag', 'garbage', 'x-linked-etag'],
    ['etag', 'http-500', 'etag'],
    ['none', 'ok', 'listing'],
  ] as const)('should find the sha256 with headers %s and listing %s in: %s', async (headers, listing, source) => {
    hub.shaHeaders = headers;
    hub.listing = listing;
    const report = await pullModel(MODEL, opts());
    expect(report.files[0]).toMatchObject({ verified: true, shaSource: source, expectedSha256: SHA['model.pt'] });
  });

  it('should report model.pt as not verified when the hub publishes no sha256 at all', async () => {
    hub.shaHeaders = 'none';
    hub.listing = 'http-500';
    const report = await pullModel(MODEL, opts());
    expect(report.files[0]).toMatchObject({ verified: false, shaSource: null, sha256: SHA['model.pt'] });
    expect(report.notes[0]).toMatch(/^model\.pt was not verified/);
  });

  it('should refuse a corrupted file even when only the listing publishes the sha256', async () => {
    hub.shaHeaders = 'none';
    hub.corrupt.add('model.pt');
    const err = await caught(pullModel(MODEL, opts()));
    expect(err.code).toBe('E2V_ERR_PULL_CHECKSUM');
    expect(err.message).toContain("the hub's file listing");
  });

  it('should give up on a server that keeps sending ranges that do not fit', async () => {
    hub.wrongRange = true;
    const err = await caught(pullModel(MODEL, opts()));
    expect(err.code).toBe('E2V_ERR_PULL_HTTP');
    expect(err.message).toMatch(/model\.pt keeps answering with ranges that do not fit .*bytes 1-/);
    expect(hub.seen.filter((s) => s.server === 'cdn')).toHaveLength(4);
  });

  it('should refuse a corrupted file, delete it, and not convert', async () => {
    convertCalls.length = 0;
    hub.corrupt.add('model.pt');
    const err = await caught(pullModel(MODEL, opts({ convert: copyConvert })));
    expect(err.code).toBe('E2V_ERR_PULL_CHECKSUM');
    expect(err.message).toContain('model.pt');
    expect(err.message).toContain(`expected ${SHA['model.pt']}`);
    expect(err.message).toMatch(/got [0-9a-f]{64}/);
    expect(err.message).not.toMatch(new RegExp(`got ${SHA['model.pt']}`));
    const left = await readdir(cacheDir());
    expect(left.filter((f) => f.startsWith('model.pt'))).toEqual([]);
    expect(convertCalls).toEqual([]);
    expect(await exists(path.join(modelsDir, MODEL))).toBe(false);
  });

  it('should explain a 404 with the URL and that the name may be wrong', async () => {
    const reg: Registry = parseRegistry({
      schemaVersion: 1,
      models: [{ ...loadRegistry().models[0], id: 'emotion2vec_plus_typo', huggingface: 'emotion2vec/emotion2vec_plus_typo' }],
    });
    const err = await caught(pullModel('emotion2vec_plus_typo', opts({ registry: reg })));
    expect(err.code).toBe('E2V_ERR_PULL_NOT_FOUND');
    expect(err.message).toContain(`Not found (HTTP 404): ${hub.base}/emotion2vec/emotion2vec_plus_typo/resolve/main/model.pt`);
    expect(err.message).toContain('the hub says: Entry not found');
    expect(err.message).toMatch(/model or file name may be wrong/);
    expect(err.message).not.toContain('\n');
  });

  it('should say a 401 repository may be gated and how to log in', async () => {
    hub.fail.set('model.pt', { status: 401, times: 1, headers: { 'x-error-message': 'Access to model is restricted.' } });
    const err = await caught(pullModel(MODEL, opts()));
    expect(err.code).toBe('E2V_ERR_PULL_UNAUTHORIZED');
    expect(err.message).toMatch(/HTTP 401.*gated or private.*HF_TOKEN=<token>/);
    expect(err.message).toContain('Access to model is restricted.');
    hub.fail.set('model.pt', { status: 403, times: 1 });
    const err2 = await caught(pullModel(MODEL, opts({}, { HF_TOKEN: 'hf_bad' })));
    expect(err2.message).toMatch(/HTTP 403.*HF_TOKEN is set but was refused/);
  });

  it('should retry 5xx answers with backoff, then give up with a clear error', async () => {
    hub.fail.set('model.pt', { status: 503, times: 2 });
    const events: PullProgressEvent[] = [];
    const report = await pullModel(MODEL, opts({ retries: 3, onProgress: (e) => events.push(e) }));
    expect(report.files[0]?.verified).toBe(true);
    expect(events.filter((e) => e.type === 'file-retry').map((e) => e.type === 'file-retry' && [e.attempt, e.delayMs, e.reason])).toEqual([
      [2, 5, 'HTTP 503'],
      [3, 10, 'HTTP 503'],
    ]);

    await rm(cacheDir(), { recursive: true });
    hub.fail.set('model.pt', { status: 502, times: 99 });
    const err = await caught(pullModel(MODEL, opts({ retries: 2 })));
    expect(err.code).toBe('E2V_ERR_PULL_HTTP');
    expect(err.message).toMatch(/HTTP 502 .* on 3 attempts.*try again later.*--source modelscope/);
    expect(hub.fail.get('model.pt')?.times).toBe(99 - 3);
  });

  it('should retry a connection reset, then fail with E2V_ERR_PULL_NETWORK and the manual steps', async () => {
    hub.fail.set('model.pt', { status: 0, times: 1 });
    const ok = await pullModel(MODEL, opts({ retries: 2 }));
    expect(ok.files[0]?.verified).toBe(true);

    await rm(cacheDir(), { recursive: true });
    hub.fail.set('model.pt', { status: 0, times: 99 });
    const err = await caught(pullModel(MODEL, opts({ retries: 1 })));
    expect(err.code).toBe('E2V_ERR_PULL_NETWORK');
    expect(err.message).toMatch(/^The connection to 127\.0\.0\.1:\d+ failed .*e2v model convert --from DIR/);
    expect(hub.fail.get('model.pt')?.times).toBe(99 - 2);
  });

  it('should stop on abort with E2V_ERR_PULL_ABORTED, keep the .part, and resume from it', async () => {
    hub.slow = 32 * 1024;
    const ac = new AbortController();
    const err = await caught(
      pullModel(
        MODEL,
        opts({
          signal: ac.signal,
          progressIntervalMs: 0,
          onProgress: (e) => {
            if (e.type === 'file-progress' && e.bytesDone >= 100_000) ac.abort();
          },
        }),
      ),
    );
    expect(err.code).toBe('E2V_ERR_PULL_ABORTED');
    expect(err.message).toMatch(/partial file .*model\.pt\.part is kept/);
    const kept = await partSize('model.pt');
    expect(kept).toBeGreaterThanOrEqual(100_000);
    expect(kept).toBeLessThan(DATA['model.pt'].length);

    hub.slow = 0;
    hub.seen = [];
    const report = await pullModel(MODEL, opts());
    expect(hub.seen.find((s) => s.server === 'cdn')?.range).toBe(`bytes=${kept}-`);
    expect(report.files[0]).toMatchObject({ resumedFrom: kept, verified: true });
    expect(sha256(await readFile(path.join(cacheDir(), 'model.pt')))).toBe(SHA['model.pt']);
  });

  it('should refuse a second pull of the same model while one runs', async () => {
    hub.slow = 16 * 1024;
    const first = pullModel(MODEL, opts());
    await new Promise((r) => setTimeout(r, 100));
    const err = await caught(pullModel(MODEL, opts()));
    expect(err.code).toBe('E2V_ERR_PULL_BUSY');
    hub.slow = 1024 * 1024;
    await expect(first).resolves.toMatchObject({ model: MODEL });
  });
});

describe('pullModel from the ModelScope layout', () => {
  it('should use the ModelScope URLs, verify with the listing Sha256, and resume with If-Range: Last-Modified', async () => {
    hub.cut.set('model.pt', 250_000);
    const report = await pullModel(MODEL, opts({ convert: copyConvert }, { E2V_MODEL_SOURCE: 'modelscope' }));
    expect(report.source).toBe('modelscope');
    expect(hub.seen.map((s) => s.path)).toEqual([
      `/api/v1/models/iic/${MODEL}/repo/files?Revision=master`,
      `/api/v1/models/iic/${MODEL}/repo?Revision=master&FilePath=model.pt`,
      `/api/v1/models/iic/${MODEL}/repo?Revision=master&FilePath=model.pt`,
      `/api/v1/models/iic/${MODEL}/repo?Revision=master&FilePath=config.yaml`,
      `/api/v1/models/iic/${MODEL}/repo?Revision=master&FilePath=tokens.txt`,
    ]);
    expect(hub.seen[2]).toMatchObject({ range: expect.stringMatching(/^bytes=\d+-$/), ifRange: LAST_MODIFIED });
    const from = Number(/\d+/.exec(hub.seen[2]?.range ?? '')?.[0]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(250_000);
    expect(report.files[0]?.resumedFrom).toBe(from);
    expect(report.files.map((f) => [f.name, f.verified, f.shaSource])).toEqual([
      ['model.pt', true, 'listing'],
      ['config.yaml', true, 'listing'],
      ['tokens.txt', true, 'listing'],
    ]);
    expect(report.notes).toEqual([]);
    expect(report.converted).toBe(true);
  });

  it('should take the source option over E2V_MODEL_SOURCE', async () => {
    await pullModel(MODEL, opts({ source: 'huggingface' }, { E2V_MODEL_SOURCE: 'modelscope' }));
    expect(hub.seen[0]?.path).toBe(`/api/models/emotion2vec/${MODEL}/tree/main`);
  });
});

describe('pullModel offline', () => {
  const manual = [
    'the network is unreachable',
    'download model.pt, config.yaml and tokens.txt from https://huggingface.co/emotion2vec/emotion2vec_plus_large/tree/main',
    'or https://www.modelscope.cn/models/iic/emotion2vec_plus_large/files into a folder DIR',
    'e2v model convert --from DIR --out ',
  ];

  async function offline(env: NodeJS.ProcessEnv, over: Partial<PullOptions> = {}): Promise<PullError> {
    const t0 = Date.now();
    const err = await caught(pullModel(MODEL, { modelsDir, env, ...over }));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err.code).toBe('E2V_ERR_PULL_OFFLINE');
    for (const part of manual) expect(err.message).toContain(part);
    expect(err.message).toContain(path.join(modelsDir, MODEL));
    expect(err.message).not.toContain('\n');
    return err;
  }

  it('should fail fast on a closed port of 127.0.0.1', async () => {
    const closed = net.createServer();
    const url = await listen(closed);
    await new Promise((r) => closed.close(r));
    const err = await offline({ HF_ENDPOINT: url });
    expect(err.message).toMatch(/^Cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('should fail fast on a host name that does not resolve (default timeouts)', async () => {
    const err = await offline({ HF_ENDPOINT: 'http://e2v-offline.invalid', E2V_MODEL_SOURCE: 'huggingface' });
    expect(err.message).toMatch(/^Cannot reach e2v-offline\.invalid \(/);
  });

  it('should fail within the connect timeout on a host that never answers', async () => {
    const sockets: net.Socket[] = [];
    const hole = net.createServer((s) => sockets.push(s));
    const url = await listen(hole);
    try {
      const t0 = Date.now();
      const err = await offline({ MODELSCOPE_ENDPOINT: url }, { source: 'modelscope', connectTimeoutMs: 300 });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(err.message).toMatch(/no answer within the connect timeout/);
    } finally {
      for (const s of sockets) s.destroy();
      hole.close();
    }
  });
});

describe('pullModel arguments', () => {
  it('should reject an unknown model with the known names before any request', async () => {
    await expect(pullModel('emotion2vec_plus_xl', opts())).rejects.toMatchObject({
      name: 'RegistryError',
      code: 'E2V_ERR_PULL_UNKNOWN_MODEL',
      message: expect.stringContaining('emotion2vec_plus_large, emotion2vec_plus_base, emotion2vec_plus_seed'),
    });
    expect(hub.seen).toEqual([]);
  });

  it('should reject bad numeric options with RangeError and a bad source with E2V_ERR_PULL_CONFIG', async () => {
    await expect(pullModel(MODEL, opts({ connectTimeoutMs: 0 }))).rejects.toThrow(RangeError);
    await expect(pullModel(MODEL, opts({ retries: -1 }))).rejects.toThrow(/retries/);
    const err = await caught(pullModel(MODEL, opts({}, { E2V_MODEL_SOURCE: 'github' })));
    expect(err.code).toBe('E2V_ERR_PULL_CONFIG');
  });

  it('should report a cache folder that cannot be created as E2V_ERR_PULL_IO', async () => {
    await mkdir(tmp, { recursive: true });
    await writeFile(path.join(tmp, 'a-file'), 'x');
    const err = await caught(pullModel(MODEL, opts({ cacheDir: path.join(tmp, 'a-file', 'cache') })));
    expect(err.code).toBe('E2V_ERR_PULL_IO');
    expect(err.message).toMatch(/Cannot write .*a-file.* \((ENOTDIR|EEXIST)/);
  });

  it('should honour E2V_MODELS_DIR and E2V_CACHE_DIR', async () => {
    const report = await pullModel(MODEL, {
      env: { HF_ENDPOINT: hub.base, E2V_MODELS_DIR: path.join(tmp, 'm2'), E2V_CACHE_DIR: path.join(tmp, 'c2') },
    });
    expect(report.outDir).toBe(path.join(tmp, 'm2', MODEL));
    expect(report.downloadDir).toBe(path.join(tmp, 'c2', MODEL));
    expect(await exists(path.join(tmp, 'c2', MODEL, 'model.pt'))).toBe(true);
  });
});
