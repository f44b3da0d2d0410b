import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGuard } from './connection-guard.js';

let server: Server | undefined;
const held: ServerResponse[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const response of held.splice(0)) response.end();
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((done) => (server === undefined ? done() : server.close(() => done())));
  server?.closeAllConnections();
  server = undefined;
});

/** A server with `maxConnections` whose `/hold` requests stay open until the test ends. */
async function guarded(maxConnections: number): Promise<{ guard: ConnectionGuard; port: number }> {
  const guard = new ConnectionGuard({ maxConnections, maxConnectionsPerClient: maxConnections, headersTimeoutMs: 500 });
  server = createServer(
    guard.guard((req, res) => {
      if (req.url === '/hold') {
        res.writeHead(200);
        res.write('holding');
        held.push(res);
      } else res.end('ok');
    }),
  );
  guard.attach(server);
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return { guard, port: (server.address() as AddressInfo).port };
}

/** A raw socket that sends nothing. */
async function idleSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((done) => socket.once('connect', done));
  return socket;
}

/** GET `path` on a new connection; resolves with the status, headers and body once they arrive (or the first chunk for /hold). */
function get(port: number, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.once('data', (chunk: Buffer) => resolve({ status: res.statusCode!, headers: res.headers, body: chunk.toString() }));
    });
    req.on('socket', (socket) => sockets.push(socket));
    req.on('error', reject);
    req.end();
  });
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; !check(); i++) {
    if (i > 200) throw new Error('condition never met');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ConnectionGuard', () => {
  it('should close the oldest idle connection to serve a new one at the cap', async () => {
    const { guard, port } = await guarded(3);
    const idle = [await idleSocket(port), await idleSocket(port), await idleSocket(port)];
    await until(() => guard.size === 3);
    const closed = new Promise((done) => idle[0]!.once('close', done));
    expect(await get(port, '/')).toMatchObject({ status: 200, body: 'ok' });
    await closed;
    expect(idle.map((s) => s.destroyed)).toEqual([true, false, false]);
  });

  it('should refuse a connection with 503, Retry-After and a JSON error when every connection is busy', async () => {
    const { guard, port } = await guarded(2);
    expect((await get(port, '/hold')).status).toBe(200);
    expect((await get(port, '/hold')).status).toBe(200);
    await until(() => guard.size === 2);
    const started = performance.now();
    const refused = await get(port, '/');
    expect(performance.now() - started).toBeLessThan(100);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'E2V_ERR_HTTP_TOO_MANY_CONNECTIONS' } });
    for (const response of held.splice(0)) response.end();
    await until(() => guard.size === 0);
    expect((await get(port, '/')).status).toBe(200);
  });

  it('should close a connection that sends no request within the header timeout, but not one that did', async () => {
    const { port } = await guarded(10);
    const silent = await idleSocket(port);
    const started = performance.now();
    const answered = await get(port, '/hold');
    expect(answered.status).toBe(200);
    await new Promise((done) => silent.once('close', done));
    expect(performance.now() - started).toBeGreaterThan(400);
    expect(performance.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 700));
    expect(sockets.filter((s) => !s.destroyed).length).toBe(1); // the held request's socket is still open
  });
});
