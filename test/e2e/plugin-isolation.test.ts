/**
 * Plugins cannot take `e2v serve` or `e2v analyze` down (issue 12, part 1), run as users run
 * them: the built executable with `--plugin ./file.mjs`. A plugin that rejects unhandled or
 * throws from a timer on every result costs its own output only; a hanging plugin delays only
 * its own results, by its timeout; a batch waits for its alerts and says how many it delivered.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWavPcm16 } from '@e2v/engine';
import { GOLDEN_DIR, testModelDir } from '@e2v/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const cliMain = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const SPEECH = join(GOLDEN_DIR, 'inputs', 'speech_8k_mono.wav');
const EVIL = `export default { name: 'evil', hooks: { onResult(event) {
  Promise.reject(new Error('unhandled, on purpose'));
  setTimeout(() => { throw new Error('thrown from a timer, on purpose'); }, 0);
  return { seen: event.id };
} } };
`;
const HANG = `export default { name: 'hang', hooks: { onResult: () => new Promise(() => {}) } };\n`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function workdir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'e2v-plugin-isolation-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

async function serve(args: string[], cwd: string): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [cliMain, 'serve', '--port', '0', '--no-pull', '--model', testModelDir('tiny-a'), ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`e2v serve exited with ${code}: ${stderr}`)));
  });
  return { url, child, exited, stderr: () => stderr };
}

const analyze = async (url: string): Promise<{ status: number; body: { plugins?: Record<string, { error?: { code: string } }>; emotion?: string } }> => {
  const response = await fetch(`${url}/api/v1/analyze`, { method: 'POST', body: await readFile(SPEECH) });
  return { status: response.status, body: (await response.json()) as never };
};

describe('isolated plugins in e2v serve', () => {
  it('should answer every request while a plugin rejects unhandled and throws from timers, and report it in /api/v1/health', async () => {
    const server = await serve(['--plugin', './evil.mjs'], await workdir({ 'evil.mjs': EVIL }));
    for (let i = 0; i < 6; i++) {
      const { status, body } = await analyze(server.url);
      expect(status).toBe(200);
      expect(body.emotion).toBeTypeOf('string');
      const evil = body.plugins?.evil;
      if (evil?.error !== undefined) expect(evil.error.code).toBe('E2V_ERR_PLUGIN_CRASHED');
    }
    const health = (await (await fetch(`${server.url}/api/v1/health`)).json()) as {
      ready: boolean;
      plugins: { name: string; isolated: boolean; crashes: number }[];
    };
    expect(health.ready).toBe(true);
    expect(health.plugins[0]).toMatchObject({ name: 'evil', isolated: true });
    expect(health.plugins[0]!.crashes).toBeGreaterThanOrEqual(1);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('should not let a hanging plugin hold the analysis slot: 4 requests at once finish together, at its timeout', async () => {
    const server = await serve(['--plugin', './hang.mjs', '--plugin-timeout-ms', '2000'], await workdir({ 'hang.mjs': HANG }));
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: 4 }, () => analyze(server.url).then((a) => ({ ...a, ms: performance.now() - t0 }))));
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(body.plugins?.hang?.error?.code).toBe('E2V_ERR_PLUGIN_TIMEOUT');
    }
    // the hook timeout is 2 s: all four end near it (serially it would take 8 s)
    expect(Math.min(...answers.map((a) => a.ms))).toBeGreaterThanOrEqual(1_900);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(6_000);
  }, 60_000);

  it('should refuse a bad --plugin-memory-mb or --plugin-timeout-ms with one line and exit code 2', async () => {
    const cwd = await workdir({ 'hang.mjs': HANG });
    for (const flags of [
      ['--plugin-memory-mb', '4'],
      ['--plugin-timeout-ms', 'soon'],
    ]) {
      const run = spawnSync(
        process.execPath,
        [cliMain, 'serve', '--port', '0', '--no-pull', '--model', testModelDir('tiny-a'), '--plugin', './hang.mjs', ...flags],
        { cwd, encoding: 'utf8', timeout: 30_000 },
      );
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${flags[0]} must be an integer in`)]);
    }
  }, 60_000);
});

describe('isolated plugins in e2v analyze', () => {
  it('should analyze all 28 files while a plugin crashes its thread on every result', async () => {
    const cwd = await workdir({ 'evil.mjs': EVIL });
    await mkdir(join(cwd, 'in'));
    for (let i = 0; i < 28; i++) await copyFile(SPEECH, join(cwd, 'in', `clip-${String(i).padStart(2, '0')}.wav`));
    const run = spawnSync(process.execPath, [cliMain, 'analyze', 'in', '--out', 'out', '--model', testModelDir('tiny-a'), '--plugin', './evil.mjs'], {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = (await readFile(join(cwd, 'out', 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(28);
    for (const line of lines) {
      const evil = (JSON.parse(line) as { result: { plugins: Record<string, { seen?: string; error?: { code: string } }> } }).result.plugins.evil;
      expect(evil?.seen !== undefined || evil?.error?.code === 'E2V_ERR_PLUGIN_CRASHED').toBe(true);
    }
  }, 180_000);

  it('should wait for its alerts before exiting and say how many were delivered', async () => {
    let requests = 0;
    const delivered: string[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests += 1;
        if (requests <= 3) return void res.writeHead(500).end(); // fails its first 3 requests
        delivered.push((JSON.parse(Buffer.concat(chunks).toString()) as { input: string }).input);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
      const cwd = await workdir({});
      await mkdir(join(cwd, 'in'));
      // 8 different calls (the alert plugin alerts once per result id, i.e. per content)
      for (let i = 0; i < 8; i++)
        await writeFile(
          join(cwd, 'in', `call-${i}.wav`),
          encodeWavPcm16(
            Float32Array.from({ length: 16000 }, (_, n) => 0.3 * Math.sin((2 * Math.PI * (150 + 20 * i) * n) / 16000)),
            16000,
          ),
        );
      const alert = {
        rules: [{ name: 'every', when: { not: { emotion: 'no-such-label' } }, actions: [{ type: 'webhook', url, backoffMs: 20, maxBackoffMs: 100 }] }],
      };
      const child = spawn(process.execPath, [cliMain, 'analyze', 'in', '--model', testModelDir('tiny-a'), '--plugin', `alert=${JSON.stringify(alert)}`], {
        cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, stderr).toBe(0);
      expect(delivered).toHaveLength(8);
      expect(stderr).toMatch(/plugin alert\s+delivered 8, pending 0/);
    } finally {
      receiver.close();
    }
  }, 120_000);
});
