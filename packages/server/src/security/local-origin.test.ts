import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, localOriginGuard } from './local-origin.js';

function app(boundHost: string): Hono {
  const hono = new Hono();
  hono.use('*', localOriginGuard(boundHost));
  hono.post('/gradio_api/upload', (c) => c.json(['stored']));
  return hono;
}

const post = (hono: Hono, headers: Record<string, string>): Promise<Response> | Response =>
  hono.request('http://127.0.0.1:7860/gradio_api/upload', { method: 'POST', headers: { host: '127.0.0.1:7860', ...headers } });

describe('localOriginGuard', () => {
  it('should know the loopback names', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0.0.0.0']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['example.com', '192.168.1.2', '10.0.0.1']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('should let clients without an Origin through (curl, Gradio clients)', async () => {
    expect((await post(app('127.0.0.1'), {})).status).toBe(200);
  });

  it('should let local pages through and echo their origin', async () => {
    const response = await post(app('127.0.0.1'), { origin: 'http://localhost:7860' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:7860');
  });

  it('should refuse other origins, null, cross-site fetches and foreign Host headers', async () => {
    const refused: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: 'file://' },
      { 'sec-fetch-site': 'cross-site' },
      { host: 'evil.example:7860' },
    ];
    for (const headers of refused) {
      const response = await post(app('127.0.0.1'), headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(await response.json()).toMatchObject({ error: { code: 'E2V_ERR_HTTP_CROSS_ORIGIN' } });
    }
  });

  it('should guard requests to a loopback name but serve the network when bound to every interface (0.0.0.0, ::)', async () => {
    for (const bound of ['0.0.0.0', '::']) {
      const lan = await post(app(bound), { host: '192.168.1.10:7860' });
      expect(lan.status, bound).toBe(200);
      expect((await post(app(bound), { host: '127.0.0.1:7860' })).status, bound).toBe(200);
      const local = await post(app(bound), { host: 'localhost:7860', origin: 'http://localhost:7860' });
      expect(local.headers.get('access-control-allow-origin'), bound).toBe('http://localhost:7860');
      expect((await post(app(bound), { host: '127.0.0.1:7860', origin: 'http://evil.example' })).status, bound).toBe(403);
    }
  });

  it('should stay out of the way when the server is exposed on purpose, sending no CORS header', async () => {
    const response = await post(app('192.168.1.10'), { origin: 'http://evil.example', host: '192.168.1.10:7860' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
