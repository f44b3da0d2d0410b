import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallerAbort, NetworkFailure, parseContentRange, request, sleep } from './http.js';

function listen(server: http.Server | net.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

describe('parseContentRange', () => {
  it.each([
    ['bytes 100-199/200', { satisfied: true, start: 100, end: 199, total: 200 }],
    ['bytes 0-9/*', { satisfied: true, start: 0, end: 9, total: null }],
    ['bytes */200', { satisfied: false, total: 200 }],
    ['bytes 10-5/200', null],
    ['bytes 0-200/200', null],
    ['items 0-1/2', null],
    [null, null],
  ])('should parse %s', (v, out) => expect(parseContentRange(v)).toEqual(out));
});

describe('sleep', () => {
  it('should reject with CallerAbort when the signal fires', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CallerAbort);
    await expect(sleep(1, ac.signal)).rejects.toBeInstanceOf(CallerAbort);
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});

describe('request', () => {
  const seen: { origin: string; url: string; auth: string | undefined }[] = [];
  let a: string;
  let b: string;
  const sockets = new Set<net.Socket>();
  const hubA = http.createServer((req, res) => {
    seen.push({ origin: 'a', url: req.url ?? '', auth: req.headers.authorization });
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `${b}/blob`, 'x-linked-etag': '"abc"' });
      res.end();
    } else if (req.url === '/relative') {
      res.writeHead(307, { location: '/final' });
      res.end();
    } else if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (req.url === '/stall') {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345'); // then nothing
    } else {
      res.end('final');
    }
  });
  const hubB = http.createServer((req, res) => {
    seen.push({ origin: 'b', url: req.url ?? '', auth: req.headers.authorization });
    res.end('from b');
  });
  const blackhole = net.createServer((s) => {
    sockets.add(s); // accept, never answer
  });
  let hole: string;

  beforeAll(async () => {
    a = await listen(hubA);
    b = await listen(hubB);
    hole = await listen(blackhole);
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    hubA.closeAllConnections();
    hubB.closeAllConnections();
    hubA.close();
    hubB.close();
    blackhole.close();
  });

  const base = { fetchImpl: fetch, headers: {}, connectTimeoutMs: 2000 };

  it('should follow redirects by hand, keep every hop, and send the token only to its origin', async () => {
    seen.length = 0;
    const ex = await request(`${a}/redirect`, { ...base, authorization: { origin: new URL(a).origin, value: 'Bearer t' } });
    expect(ex.hops.map((h) => h.status)).toEqual([302, 200]);
    expect(ex.hops[0]?.headers.get('x-linked-etag')).toBe('"abc"');
    expect(ex.url).toBe(`${b}/blob`);
    const chunk = await ex.read(1000);
    expect(Buffer.from(chunk ?? []).toString()).toBe('from b');
    expect(await ex.read(1000)).toBeNull();
    ex.dispose();
    expect(seen).toEqual([
      { origin: 'a', url: '/redirect', auth: 'Bearer t' },
      { origin: 'b', url: '/blob', auth: undefined },
    ]);
  });

  it('should resolve a relative Location against the current URL', async () => {
    const ex = await request(`${a}/relative`, base);
    expect(ex.url).toBe(`${a}/final`);
    ex.dispose();
  });

  it('should give up after too many redirects', async () => {
    await expect(request(`${a}/loop`, { ...base, maxRedirects: 3 })).rejects.toMatchObject({ code: 'EREDIRECTS', unreachable: false });
  });

  it('should call a refused connection unreachable', async () => {
    const closed = net.createServer();
    const url = await listen(closed);
    await new Promise((r) => closed.close(r));
    const err = await request(`${url}/x`, base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkFailure);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', unreachable: true });
  });

  it('should time out a host that accepts but never answers', async () => {
    const t0 = Date.now();
    const err = await request(`${hole}/x`, { ...base, connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err).toMatchObject({ name: 'NetworkFailure', code: 'TIMEOUT', unreachable: true });
  });

  it('should report a body that stops sending as STALLED', async () => {
    const ex = await request(`${a}/stall`, base);
    expect(Buffer.from((await ex.read(1000)) ?? []).toString()).toBe('12345');
    const err = await ex.read(200).catch((e: unknown) => e);
    ex.dispose();
    expect(err).toMatchObject({ name: 'NetworkFailure', code: 'STALLED', unreachable: false });
  });

  it('should turn the caller abort into CallerAbort, before and during the request', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(request(`${a}/x`, { ...base, signal: ac.signal })).rejects.toBeInstanceOf(CallerAbort);
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 100);
    await expect(request(`${hole}/x`, { ...base, signal: ac2.signal })).rejects.toBeInstanceOf(CallerAbort);
  });
});
