/**
 * Plugins loaded from files run on threads of their own: whatever they do (throw from a timer,
 * leave a rejection unhandled, block, allocate until their heap limit, exit, return a huge
 * value) ends in a typed error for that call and a restart, never in a dead process, a lost
 * result, or another analysis waiting beyond the plugin's timeout.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPluginHost, type PluginHost } from '../host.js';
import { makeResult, recordingLogger, tempDir, waitFor } from '../test-support/index.js';
import type { PluginEntry } from '../types.js';

let dir: string;
let cleanup: () => Promise<void>;
let host: PluginHost | undefined;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await cleanup();
});

const context = (id: string) => ({ id, input: { name: `${id}.wav` }, options: {} });

/** Writes `<name>.mjs` exporting a plugin whose onResult body is `body` (`count` counts calls). */
async function pluginFile(name: string, body: string, extra = ''): Promise<PluginEntry> {
  const file = join(dir, `${name}.mjs`);
  await writeFile(file, `let count = 0;\n${extra}\nexport default { name: '${name}', hooks: { async onResult(event) { count += 1; ${body} } } };\n`);
  return { source: { kind: 'spec', spec: `./${name}.mjs`, baseDir: dir } };
}

async function start(entries: PluginEntry[], settings: { hookTimeoutMs?: number; memoryLimitMb?: number; maxOutputBytes?: number } = {}) {
  const logger = recordingLogger();
  host = await createPluginHost({
    plugins: entries,
    stateDir: join(dir, 'state'),
    cwd: dir,
    logger,
    hookTimeoutMs: settings.hookTimeoutMs ?? 2000,
    ...settings,
  });
  return { host, logger };
}

/** Runs onResult until the plugin answers `{ ok }` again (its thread restarted), returning every answer seen. */
async function untilHealthy(h: PluginHost, name: string, timeoutMs = 15_000): Promise<unknown[]> {
  const seen: unknown[] = [];
  await waitFor(async () => {
    const { plugins } = await h.onResult(makeResult(), context(`probe-${seen.length}`));
    seen.push(plugins[name]);
    return (plugins[name] as { ok?: unknown } | undefined)?.ok === true;
  }, timeoutMs);
  return seen;
}

describe('isolated plugins', () => {
  it('should run a plugin loaded from a file on its own thread and keep its outputs in the result', async () => {
    const { host: h } = await start([await pluginFile('fine', "return { ok: true, threadId: (await import('node:worker_threads')).threadId, count };")]);
    const result = await h.onResult(makeResult(), context('a'));
    expect(result.plugins.fine).toMatchObject({ ok: true, count: 1 });
    expect((result.plugins.fine as { threadId: number }).threadId).toBeGreaterThan(0); // not the main thread
    expect(h.status()).toEqual([{ name: 'fine', isolated: true, state: 'running', crashes: 0 }]);
  });

  it.each([
    ['an unhandled rejection', "if (event.id === 'crash') Promise.reject(new Error('boom')); return { ok: true };"],
    ['a throw from a timer', "if (event.id === 'crash') setTimeout(() => { throw new Error('boom'); }, 0); return { ok: true };"],
    ['process.exit', "if (event.id === 'crash') process.exit(3); return { ok: true };"],
  ])(
    'should survive %s in a hook: typed error or a good result per call, a restart, counted in status',
    async (_, body) => {
      const { host: h, logger } = await start([await pluginFile('bad', body), await pluginFile('good', 'return { ok: true };')]);
      const crashed = await h.onResult(makeResult(), context('crash'));
      expect(crashed.emotion).toBe('angry'); // the result itself is never lost
      await waitFor(() => h.status()[0]!.crashes === 1);
      const seen = [crashed.plugins.bad, ...(await untilHealthy(h, 'bad'))];
      // every answer was a result (the process lives); failures are typed
      for (const output of seen) {
        const error = (output as { error?: { code: string } }).error;
        if (error !== undefined) expect(error.code).toBe('E2V_ERR_PLUGIN_CRASHED');
      }
      const [bad, good] = h.status();
      expect(bad).toMatchObject({ name: 'bad', isolated: true, state: 'running', crashes: 1, lastCrash: { code: 'E2V_ERR_PLUGIN_CRASHED' } });
      expect(good).toMatchObject({ name: 'good', crashes: 0 });
      expect(logger.lines.some((l) => l.level === 'error' && l.fields.plugin === 'bad' && l.fields.code === 'E2V_ERR_PLUGIN_CRASHED')).toBe(true);
      // the other plugin's output is in every result
      const after = await h.onResult(makeResult(), context('z'));
      expect(after.plugins.good).toEqual({ ok: true });
    },
    30_000,
  );

  it('should stop a plugin that allocates past its heap limit, and free that memory', async () => {
    const hog = await pluginFile(
      'hog',
      "if (event.id === 'crash') { for (;;) kept.push(new Array(1e6).fill(count)); } return { ok: true };",
      'const kept = [];',
    );
    const { host: h } = await start([hog], { memoryLimitMb: 48 });
    const rssBefore = process.memoryUsage().rss;
    const first = await h.onResult(makeResult(), context('crash'));
    expect((first.plugins.hog as { error: { code: string; message: string } }).error).toMatchObject({ code: 'E2V_ERR_PLUGIN_CRASHED', message: /48 MB heap/ });
    await untilHealthy(h, 'hog');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  }, 60_000);

  it('should restart a plugin that keeps buffers past its memory limit, keeping the output of that call', async () => {
    const hoard = await pluginFile('hoard', 'kept.push(Buffer.alloc(64 * 1024 * 1024, 1)); return { held: kept.length };', 'const kept = [];');
    const { host: h } = await start([hoard], { memoryLimitMb: 48 });
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 4; i++) {
      const { plugins } = await h.onResult(makeResult(), context(`r${i}`));
      expect(plugins.hoard).toEqual({ held: 1 });
      await waitFor(() => h.status()[0]!.crashes === i + 1 && h.status()[0]!.state === 'running');
    }
    const status = h.status()[0]!;
    expect(status.crashes).toBe(4);
    expect(status.lastCrash?.message).toMatch(/holds 6\d MB outside its heap \(buffers\), over its 48 MB limit/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  }, 60_000);

  it('should time out a hanging hook without delaying other analyses beyond the timeout', async () => {
    const { host: h } = await start([await pluginFile('slow', "if (event.id === 'hang') await new Promise(() => {}); return { ok: true };")], {
      hookTimeoutMs: 300,
    });
    const t0 = performance.now();
    const [hung, other] = await Promise.all([h.onResult(makeResult(), context('hang')), h.onResult(makeResult(), context('other'))]);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect((hung.plugins.slow as { error: { code: string } }).error.code).toBe('E2V_ERR_PLUGIN_TIMEOUT');
    expect(other.plugins.slow).toEqual({ ok: true });
    expect(h.status()[0]).toMatchObject({ state: 'running', crashes: 0 }); // an async hang does not block the thread
  });

  it('should end and restart a thread whose hook blocks its event loop', async () => {
    const { host: h } = await start([await pluginFile('spin', "if (event.id === 'crash') for (;;); return { ok: true };")], { hookTimeoutMs: 300 });
    const first = await h.onResult(makeResult(), context('crash'));
    expect((first.plugins.spin as { error: { code: string } }).error.code).toBe('E2V_ERR_PLUGIN_TIMEOUT');
    await untilHealthy(h, 'spin');
    expect(h.status()[0]).toMatchObject({ crashes: 1, lastCrash: { message: /stopped answering/ } });
  }, 30_000);

  it('should refuse an output over the cap without copying it into the result', async () => {
    const { host: h } = await start([await pluginFile('big', "return { blob: 'x'.repeat(200 * 1024 * 1024) };")], {
      maxOutputBytes: 64 * 1024,
      memoryLimitMb: 1024,
      hookTimeoutMs: 30_000,
    }); // (serializing 200 MB is slow on a busy CPU)
    const result = await h.onResult(makeResult(), context('a'));
    expect((result.plugins.big as { error: { code: string } }).error).toMatchObject({ code: 'E2V_ERR_PLUGIN_OUTPUT_TOO_LARGE', hook: 'onResult' });
  }, 30_000);

  it('should report load, options and setup failures of a thread with the loader codes', async () => {
    await writeFile(
      join(dir, 'strict.mjs'),
      "export default { name: 'strict', parseOptions(raw) { if (raw?.n !== 1) throw new Error('n must be 1'); return raw; } };",
    );
    await writeFile(join(dir, 'broken.mjs'), "export default { name: 'broken', setup() { throw new Error('no database'); } };");
    const spec = (s: string, options?: unknown): PluginEntry => ({ source: { kind: 'spec', spec: s, baseDir: dir }, options });
    await expect(start([spec('./missing.mjs')])).rejects.toMatchObject({ name: 'PluginConfigError', code: 'E2V_ERR_PLUGIN_NOT_FOUND' });
    await expect(start([spec('./strict.mjs', { n: 2 })])).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_OPTIONS', message: /n must be 1/ });
    await expect(start([spec('./broken.mjs')])).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_SETUP', message: /no database/ });
  });
});
