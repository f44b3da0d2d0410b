/**
 * `e2v serve` as users run it (the built executable in a child process): starts with a model or
 * without one (saying how to install it), logs structured JSON lines with request ids, and shuts
 * down gracefully on SIGTERM / SIGINT with exit code 0, ending open event streams. Gradio users'
 * habits: GRADIO_SERVER_PORT / GRADIO_SERVER_NAME and --server-port / --server-name; uploads in a
 * private folder of the working folder; /info without server paths.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWavPcm16 } from '@e2v/engine';
import { GOLDEN_DIR, testModelDir } from '@e2v/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/e2e-server.js';
import { CLI_MAIN, serveCli, type ServedCli } from '../support/serve-cli.js';
import { freePort } from '../support/free-port.js';

const EXAMPLE_PLUGIN = fileURLToPath(new URL('../../examples/e2v-plugin-example/', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts `e2v serve --port 0 ...` and resolves once it says where it listens. */
async function serve(args: string[], cwd?: string, env?: Record<string, string>): Promise<ServedCli> {
  const served = await serveCli(args, { ...(cwd === undefined ? {} : { cwd }), ...(env === undefined ? {} : { env }) });
  children.push(served.child);
  return served;
}

/** Runs `e2v serve ARGS` that ends by itself (a refused command line, --help). */
async function runToEnd(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

/** Every string value of a JSON document. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(stringsOf);
}

describe('e2v serve', () => {
  it('should serve a model, log requests with ids, and stop cleanly on SIGTERM, ending open streams', async () => {
    const server = await serve(['--model', testModelDir('tiny-a'), '--threads', '1']);
    const health = await fetch(`${server.url}/api/v1/health`, { headers: { 'x-request-id': 'req-42' } });
    expect(await health.json()).toMatchObject({ ready: true, model: { name: 'tiny-a' } });
    expect(health.headers.get('x-request-id')).toBe('req-42');
    const analyzed = await fetch(`${server.url}/api/v1/analyze`, { method: 'POST', body: await readFile(join(GOLDEN_DIR, 'inputs', 'speech_8k_mono.wav')) });
    expect(analyzed.status).toBe(200);

    const heartbeat = await fetch(`${server.url}/gradio_api/heartbeat/s1`);
    const reader = heartbeat.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: ALIVE\n\n');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(reader.read().then((r) => r.done)).resolves.toBe(true);

    const lines = server
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((l) => l.reqId === 'req-42')).toMatchObject({ method: 'GET', route: '/api/v1/health', status: 200 });
    expect(lines.map((l) => l.msg)).toContain('stopped');
  });

  it('should finish an analysis in flight on SIGTERM before exiting 0', async () => {
    const server = await serve(['--model', testModelDir('tiny-a'), '--threads', '1']);
    let seed = 1;
    const noise = new Float32Array(16000 * 300).map(() => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    });
    const analyzing = fetch(`${server.url}/api/v1/analyze`, { method: 'POST', body: encodeWavPcm16(noise, 16000) });
    for (;;) {
      const health = (await (await fetch(`${server.url}/api/v1/health`)).json()) as { queue: { running: number } };
      if (health.queue.running === 1) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    server.child.kill('SIGTERM');
    const response = await analyzing;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { audio: { duration_s: number } }).audio.duration_s).toBe(300);
    expect(await server.exited).toBe(0);
  });

  it('should start without a model, say which command installs it, and stop on SIGINT', async () => {
    const server = await serve(['--models-dir', join(tmpdir(), 'e2v-no-models-here')]);
    const health = await fetch(`${server.url}/api/v1/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ready: false, install_command: 'pnpm e2v model pull emotion2vec_plus_large' });
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });

  it('should run --plugin plugins on every analysis, save their outputs in result.json, and close them at shutdown', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'e2v-serve-plugins-'));
    const plugins = [
      '--plugin',
      `sink=${JSON.stringify({ jsonl: 'results.jsonl' })}`,
      '--plugin',
      `${EXAMPLE_PLUGIN}=${JSON.stringify({ threshold: 0.99, tag: 'review' })}`,
    ];
    const server = await serve(['--model', testModelDir('tiny-a'), ...plugins], cwd);
    const analyzed = await fetch(`${server.url}/api/v1/analyze?save=true`, {
      method: 'POST',
      body: await readFile(join(GOLDEN_DIR, 'inputs', 'speech_8k_mono.wav')),
    });
    expect(analyzed.status).toBe(200);
    const body = (await analyzed.json()) as { plugins: Record<string, unknown>; files: { result_json: string } };
    expect(body.plugins['low-confidence']).toMatchObject({ low: true, threshold: 0.99, tag: 'review' });
    // the outputs folder is written after the plugins: its result.json holds their outputs
    const saved = (await (await fetch(`${server.url}${body.files.result_json}`)).json()) as { plugins: unknown };
    expect(saved.plugins).toEqual(body.plugins);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const lines = (await readFile(join(cwd, 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ result: { audio: { sample_rate: 8000 } } });
  });

  it('should refuse audio over --max-duration-min with 413 E2V_ERR_AUDIO_TOO_LONG, and serve a short request while a long one runs (--concurrency 2)', async () => {
    const server = await serve(['--model', testModelDir('tiny-a'), '--threads', '1', '--max-duration-min', '1']);
    const tone = (seconds: number) =>
      encodeWavPcm16(
        new Float32Array(16000 * seconds).map((_, n) => 0.3 * Math.sin(n / 9)),
        16000,
      );
    const refused = await fetch(`${server.url}/api/v1/analyze`, { method: 'POST', body: tone(61) });
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({ error: { code: 'E2V_ERR_AUDIO_TOO_LONG', message: expect.stringMatching(/60 s/) } });
    // a 59 s analysis (two segments) and a 1 s one: both run at once with the default concurrency
    const long = fetch(`${server.url}/api/v1/analyze?granularity=frame`, { method: 'POST', body: tone(59) });
    for (;;) {
      const health = (await (await fetch(`${server.url}/api/v1/health`)).json()) as { queue: { running: number } };
      if (health.queue.running === 1) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const short = await fetch(`${server.url}/api/v1/analyze`, { method: 'POST', body: tone(1) });
    expect(short.status).toBe(200);
    expect((await long).status).toBe(200);
    await expect(serve(['--concurrency', '0'])).rejects.toThrow(/--concurrency/);
  });

  it('should refuse a bad port with a usage error', async () => {
    expect(await runToEnd(['--port', '70000'])).toEqual({ code: 2, stdout: '', stderr: "e2v: --port must be an integer in [0, 65535], not '70000'\n" });
  });
});

describe("e2v serve with Gradio's habits", () => {
  /** No E2V_* address in the environment, whatever the test runner has. */
  const NO_E2V_ADDRESS = { E2V_PORT: '', E2V_HOST: '' };

  it('should listen where GRADIO_SERVER_PORT and GRADIO_SERVER_NAME say, and let --server-port / --server-name win over them', async () => {
    const port = await freePort();
    const gradioEnv = { ...NO_E2V_ADDRESS, GRADIO_SERVER_PORT: String(port), GRADIO_SERVER_NAME: '127.0.0.2' };
    const fromEnv = await serveCli([], { env: gradioEnv, portFlag: false });
    children.push(fromEnv.child);
    expect(fromEnv.url).toBe(`http://127.0.0.2:${port}`);
    expect((await fetch(`${fromEnv.url}/config`)).status).toBe(200);
    fromEnv.child.kill('SIGTERM');
    expect(await fromEnv.exited).toBe(0);

    const fromFlags = await serveCli(['--server-port', '0', '--server-name', 'localhost'], { env: gradioEnv, portFlag: false });
    children.push(fromFlags.child);
    expect(fromFlags.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(fromFlags.url).not.toBe(`http://localhost:${port}`);
    expect((await fetch(`${fromFlags.url}/config`)).status).toBe(200);
  });

  it('should serve the network bound to GRADIO_SERVER_NAME=0.0.0.0, and still refuse foreign pages addressed to localhost', async () => {
    const served = await serveCli([], { env: { ...NO_E2V_ADDRESS, GRADIO_SERVER_PORT: '0', GRADIO_SERVER_NAME: '0.0.0.0' }, portFlag: false });
    children.push(served.child);
    const local = served.url.replace('0.0.0.0', '127.0.0.1');
    const { port } = new URL(local);
    expect((await rawRequest(local, '/config', { headers: { Host: `192.0.2.7:${port}` } })).status).toBe(200); // a client of the network
    expect((await rawRequest(local, '/config', { headers: { Host: `localhost:${port}`, Origin: 'http://evil.example' } })).status).toBe(403);
  });

  it('should refuse a bad GRADIO_SERVER_PORT, GRADIO_SERVER_NAME or alias with a one-line usage error', async () => {
    expect(await runToEnd([], { ...NO_E2V_ADDRESS, GRADIO_SERVER_PORT: 'http' })).toEqual({
      code: 2,
      stdout: '',
      stderr: "e2v: GRADIO_SERVER_PORT must be an integer in [0, 65535], not 'http'\n",
    });
    expect(await runToEnd(['--port', '0'], { ...NO_E2V_ADDRESS, GRADIO_SERVER_NAME: 'my server' })).toEqual({
      code: 2,
      stdout: '',
      stderr: "e2v: GRADIO_SERVER_NAME must be an IP address or a host name, not 'my server'\n",
    });
    expect(await runToEnd(['--port', '8000', '--server-port', '8001'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'e2v: --port 8000 contradicts --server-port 8001\n',
    });
  });

  it('should list the aliases and the variables in e2v serve --help', async () => {
    const { code, stdout, stderr } = await runToEnd(['--help']);
    expect([code, stderr]).toEqual([0, '']);
    for (const text of ['--port N, --server-port N', '--host HOST, --server-name HOST', 'GRADIO_SERVER_PORT', 'GRADIO_SERVER_NAME', 'E2V_PORT', '.e2v/uploads'])
      expect(stdout).toContain(text);
    expect((await runToEnd(['-h'])).stdout).toBe(stdout);
  });

  it('should keep uploads in a private folder of its working folder, shared with no server started elsewhere, and publish no server path in /info', async () => {
    const [cwdA, cwdB, tmp] = (await Promise.all(
      ['e2v-cwd-a-', 'e2v-cwd-b-', 'e2v-tmp-'].map(async (prefix) => realpath(await mkdtemp(join(tmpdir(), prefix)))),
    )) as [string, string, string];
    const a = await serve([], cwdA, { TMPDIR: tmp });
    const b = await serve([], cwdB, { TMPDIR: tmp });
    const upload = async (url: string): Promise<string> => {
      const form = new FormData();
      form.append('files', new Blob([await readFile(join(GOLDEN_DIR, 'inputs', 'speech_8k_mono.wav'))]), 'clip.wav');
      const response = await fetch(`${url}/gradio_api/upload`, { method: 'POST', body: form });
      expect(response.status).toBe(200);
      return ((await response.json()) as string[])[0]!;
    };
    const [pathA, pathB] = [await upload(a.url), await upload(b.url)];
    expect(pathA.startsWith(join(cwdA, '.e2v', 'uploads') + sep)).toBe(true);
    expect(pathB.startsWith(join(cwdB, '.e2v', 'uploads') + sep)).toBe(true);
    for (const cwd of [cwdA, cwdB]) expect((await stat(join(cwd, '.e2v', 'uploads'))).mode & 0o777).toBe(0o700);
    expect(await readdir(tmp)).toEqual([]); // nothing in the temporary folder of the machine

    const info = await (await fetch(`${a.url}/gradio_api/info?all_endpoints=true`)).text();
    for (const path of [cwdA, tmp, tmpdir(), '/tmp/']) expect(info).not.toContain(path);
    expect(stringsOf(JSON.parse(info)).filter((text) => text.startsWith('/'))).toEqual([]);
  });
});
