import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definePlugin } from './define.js';
import { PluginConfigError, PluginError, PluginVetoError } from './errors.js';
import { createPluginHost, type PluginHost } from './host.js';
import { makeResult, recordingLogger, tempDir } from './test-support/index.js';
import type { AnyPlugin, PluginEntry } from './types.js';

const analysis = { id: 'a1', input: { name: 'call.wav' }, options: { granularity: 'utterance' as const } };

let stateDir: string;
let cleanup: () => Promise<void>;
let host: PluginHost | undefined;
beforeEach(async () => {
  ({ dir: stateDir, cleanup } = await tempDir());
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await cleanup();
});

const start = async (plugins: (AnyPlugin | PluginEntry)[], hookTimeoutMs = 200, logger = recordingLogger()) => {
  host = await createPluginHost({
    plugins: plugins.map((p): PluginEntry => ('plugin' in p || 'source' in p ? (p as PluginEntry) : { plugin: p as AnyPlugin })),
    stateDir,
    hookTimeoutMs,
    logger,
  });
  return { host, logger };
};

describe('start-up', () => {
  it('should set plugins up in dependency order, then config order, and close them in reverse', async () => {
    const calls: string[] = [];
    const p = (name: string, dependencies: string[] = []) =>
      definePlugin({ name, dependencies, setup: () => void calls.push(`setup ${name}`), close: () => void calls.push(`close ${name}`) });
    const { host: h } = await start([p('c', ['b']), p('a'), p('b', ['a']), p('d')]);
    expect(h.plugins.map((x) => x.name)).toEqual(['a', 'b', 'c', 'd']);
    await h.close();
    await h.close();
    expect(calls).toEqual(['setup a', 'setup b', 'setup c', 'setup d', 'close d', 'close c', 'close b', 'close a']);
  });

  it('should give each plugin a tagged logger, frozen options, its created state folder and its setup value as state', async () => {
    let seen: { stateDir: string; frozen: boolean; state: unknown } | undefined;
    const plugin = definePlugin({
      name: 'probe',
      parseOptions: (raw) => ({ ...(raw as { n: number }), parsed: true }),
      setup(ctx, options) {
        ctx.log.info({}, 'hello');
        return { n: options.n };
      },
      hooks: {
        onResult(_e, ctx) {
          seen = { stateDir: ctx.stateDir, frozen: Object.isFrozen(ctx.options), state: ctx.state };
        },
      },
    });
    const { host: h, logger } = await start([{ plugin, options: { n: 3 } }]);
    await h.onResult(makeResult(), analysis);
    expect(seen).toEqual({ stateDir: join(stateDir, 'probe'), frozen: true, state: { n: 3 } });
    expect(existsSync(join(stateDir, 'probe'))).toBe(true);
    expect(logger.lines).toContainEqual({ level: 'info', fields: { plugin: 'probe' }, message: 'hello' });
  });

  it.each([
    ['E2V_ERR_PLUGIN_DUPLICATE', [definePlugin({ name: 'x' }), definePlugin({ name: 'x' })]],
    ['E2V_ERR_PLUGIN_MISSING_DEPENDENCY', [definePlugin({ name: 'x', dependencies: ['nope'] })]],
    ['E2V_ERR_PLUGIN_DEPENDENCY_CYCLE', [definePlugin({ name: 'x', dependencies: ['y'] }), definePlugin({ name: 'y', dependencies: ['x'] })]],
  ])('should fail with %s', async (code, plugins) => {
    await expect(start(plugins)).rejects.toMatchObject({ name: 'PluginConfigError', code });
  });

  it('should reject invalid options before any setup runs', async () => {
    let setups = 0;
    const ok = definePlugin({ name: 'ok', setup: () => void setups++ });
    const strict = definePlugin({
      name: 'strict',
      parseOptions(raw): { n: number } {
        if (typeof (raw as { n?: unknown })?.n !== 'number') throw new TypeError('Expected a number for n');
        return raw as { n: number };
      },
    });
    const error = await start([ok, { plugin: strict, options: { n: 'x' } }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error).toMatchObject({ code: 'E2V_ERR_PLUGIN_OPTIONS', plugin: 'strict', message: /strict.*Expected a number for n/ });
    expect(setups).toBe(0);
  });

  it('should close the plugins already set up when a setup fails or times out', async () => {
    const calls: string[] = [];
    const first = definePlugin({ name: 'first', close: () => void calls.push('close first') });
    const failing = definePlugin({ name: 'failing', setup: () => Promise.reject(new Error('no model')) });
    await expect(start([first, failing])).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_SETUP', plugin: 'failing', message: /no model/ });
    const hanging = definePlugin({ name: 'hanging', setup: () => new Promise<void>(() => undefined) });
    await expect(start([first, hanging], 50)).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_SETUP', plugin: 'hanging', message: /50 ms/ });
    expect(calls).toEqual(['close first', 'close first']);
  });

  it('should reject a non-positive hook timeout', async () => {
    await expect(createPluginHost({ plugins: [], stateDir, hookTimeoutMs: 0 })).rejects.toThrow(RangeError);
  });
});

describe('onResult', () => {
  it('should run plugins in order, each seeing the outputs before it, and return them under result.plugins', async () => {
    const first = definePlugin({ name: 'first', hooks: { onResult: ({ result }) => ({ top: result.emotion }) } });
    const second = definePlugin({
      name: 'second',
      dependencies: ['first'],
      hooks: { onResult: ({ result }) => ({ sawFirst: result.plugins.first?.top, frozen: Object.isFrozen(result) && Object.isFrozen(result.scores) }) },
    });
    const silent = definePlugin({ name: 'silent', hooks: { onResult: () => undefined } });
    const { host: h } = await start([second, first, silent]);
    const input = makeResult('happy', 0.9);
    const out = await h.onResult(input, analysis);
    expect(out.plugins).toEqual({ first: { top: 'happy' }, second: { sawFirst: 'happy', frozen: true } });
    expect(out.emotion).toBe('happy');
    expect('plugins' in input).toBe(false);
  });

  it('should record a throw, a rejection, a timeout and a bad return without losing the result or waiting past the timeout', async () => {
    const hooks = {
      thrower: () => {
        throw new Error('boom');
      },
      rejecter: () => Promise.reject(new Error('async boom')),
      sleeper: () => new Promise<void>(() => undefined),
      liar: () => 42 as unknown as Record<string, unknown>,
      good: () => ({ ok: true }),
    };
    const plugins = Object.entries(hooks).map(([name, onResult]) => definePlugin({ name, hooks: { onResult } }));
    const { host: h, logger } = await start(plugins, 100);
    const out = await h.onResult(makeResult(), analysis);
    expect(out.plugins).toEqual({
      thrower: { error: { code: 'E2V_ERR_PLUGIN_THREW', message: 'Plugin thrower: onResult failed: boom', hook: 'onResult' } },
      rejecter: { error: { code: 'E2V_ERR_PLUGIN_THREW', message: 'Plugin rejecter: onResult failed: async boom', hook: 'onResult' } },
      sleeper: { error: { code: 'E2V_ERR_PLUGIN_TIMEOUT', message: 'Plugin sleeper: onResult did not finish within 100 ms', hook: 'onResult' } },
      liar: { error: { code: 'E2V_ERR_PLUGIN_BAD_RETURN', message: expect.stringMatching(/liar/), hook: 'onResult' } },
      good: { ok: true },
    });
    expect(out.confidence).toBe(0.8);
    const errors = logger.lines.filter((l) => l.level === 'error').map((l) => [l.fields.plugin, l.fields.hook, l.fields.code]);
    expect(errors).toEqual([
      ['thrower', 'onResult', 'E2V_ERR_PLUGIN_THREW'],
      ['rejecter', 'onResult', 'E2V_ERR_PLUGIN_THREW'],
      ['sleeper', 'onResult', 'E2V_ERR_PLUGIN_TIMEOUT'],
      ['liar', 'onResult', 'E2V_ERR_PLUGIN_BAD_RETURN'],
    ]);
  });

  it('should keep a plugin from changing what the next one sees', async () => {
    const vandal = definePlugin({
      name: 'vandal',
      hooks: {
        onResult: ({ result }) => {
          (result as { emotion: string }).emotion = 'sad';
        },
      },
    });
    const reader = definePlugin({ name: 'reader', hooks: { onResult: ({ result }) => ({ emotion: result.emotion }) } });
    const { host: h } = await start([vandal, reader]);
    const out = await h.onResult(makeResult('angry'), analysis);
    expect(out.plugins).toEqual({ vandal: { error: expect.objectContaining({ code: 'E2V_ERR_PLUGIN_THREW' }) }, reader: { emotion: 'angry' } });
  });

  it('should hand the embedding, the annotations and the analysis to onResult', async () => {
    const embedding = { data: new Float32Array([1, 2]), shape: [2] };
    let seen: unknown;
    const plugin = definePlugin({
      name: 'probe',
      hooks: { onResult: (e) => void (seen = { id: e.id, input: e.input.name, embedding: e.embedding, annotations: e.annotations }) },
    });
    const { host: h } = await start([plugin]);
    await h.onResult(makeResult(), { ...analysis, embedding, annotations: { other: 1 } });
    expect(seen).toEqual({ id: 'a1', input: 'call.wav', embedding, annotations: { other: 1 } });
    await h.onResult(makeResult(), analysis);
    expect(seen).toMatchObject({ embedding: null, annotations: {} });
  });
});

describe('beforeAnalyze', () => {
  it('should collect annotations and stop at the first veto, returned or thrown', async () => {
    const calls: string[] = [];
    const annotator = definePlugin({
      name: 'annotator',
      hooks: { beforeAnalyze: ({ input }) => (calls.push('annotator'), { annotate: { size: input.name.length } }) },
    });
    const returner = definePlugin({ name: 'returner', hooks: { beforeAnalyze: () => (calls.push('returner'), { veto: 'too long' }) } });
    const thrower = definePlugin({
      name: 'thrower',
      hooks: {
        beforeAnalyze: () => {
          calls.push('thrower');
          throw new PluginVetoError('not allowed');
        },
      },
    });
    const after = definePlugin({ name: 'after', hooks: { beforeAnalyze: () => void calls.push('after') } });
    const { host: h } = await start([annotator, returner, after]);
    expect(await h.beforeAnalyze(analysis)).toEqual({
      vetoed: { plugin: 'returner', reason: 'too long' },
      annotations: { annotator: { size: 8 } },
      failures: {},
    });
    await h.close();
    const { host: h2, logger } = await start([thrower, after]);
    expect(await h2.beforeAnalyze(analysis)).toEqual({ vetoed: { plugin: 'thrower', reason: 'not allowed' }, annotations: {}, failures: {} });
    expect(calls).toEqual(['annotator', 'returner', 'thrower']);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('should record beforeAnalyze failures, and onResult should put them in the result', async () => {
    const broken = definePlugin({
      name: 'broken',
      hooks: {
        beforeAnalyze: () => {
          throw new Error('nope');
        },
        onResult: () => ({ ran: true }),
      },
    });
    const slow = definePlugin({ name: 'slow', hooks: { beforeAnalyze: () => new Promise<void>(() => undefined) } });
    const { host: h } = await start([broken, slow], 50);
    const before = await h.beforeAnalyze(analysis);
    expect(before.vetoed).toBeUndefined();
    expect(Object.keys(before.failures)).toEqual(['broken', 'slow']);
    const out = await h.onResult(makeResult(), { ...analysis, ...before });
    expect(out.plugins).toEqual({
      broken: { ran: true, error: { code: 'E2V_ERR_PLUGIN_THREW', message: 'Plugin broken: beforeAnalyze failed: nope', hook: 'beforeAnalyze' } },
      slow: { error: { code: 'E2V_ERR_PLUGIN_TIMEOUT', message: expect.stringMatching(/50 ms/), hook: 'beforeAnalyze' } },
    });
  });

  it('should treat an unknown return as a bad return', async () => {
    const odd = definePlugin({ name: 'odd', hooks: { beforeAnalyze: () => 'yes' as unknown as void } });
    const { host: h } = await start([odd]);
    expect((await h.beforeAnalyze(analysis)).failures.odd?.code).toBe('E2V_ERR_PLUGIN_BAD_RETURN');
  });
});

describe('onError and close', () => {
  it('should run every onError hook even when one fails', async () => {
    const seen: unknown[] = [];
    const failing = definePlugin({ name: 'failing', hooks: { onError: () => Promise.reject(new Error('x')) } });
    const observer = definePlugin({ name: 'observer', hooks: { onError: (e) => void seen.push([e.id, (e.error as Error).message]) } });
    const { host: h, logger } = await start([failing, observer]);
    await h.onError(new Error('decode failed'), analysis);
    expect(seen).toEqual([['a1', 'decode failed']]);
    expect(logger.lines.some((l) => l.level === 'error' && l.fields.plugin === 'failing' && l.fields.hook === 'onError')).toBe(true);
  });

  it('should wait for running hooks before closing, and refuse work after close', async () => {
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const plugin = definePlugin({
      name: 'p',
      hooks: { onResult: () => new Promise<void>((r) => (release = r)).then(() => void calls.push('onResult done')) },
      close: () => void calls.push('close'),
    });
    const { host: h } = await start([plugin], 5000);
    const pending = h.onResult(makeResult(), analysis);
    await new Promise((r) => setImmediate(r));
    const closing = h.close();
    release();
    await Promise.all([pending, closing]);
    expect(calls).toEqual(['onResult done', 'close']);
    await expect(h.onResult(makeResult(), analysis)).rejects.toBeInstanceOf(PluginError);
    await expect(h.beforeAnalyze(analysis)).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_HOST_CLOSED' });
  });

  it('should log a failing close and still close the others', async () => {
    const calls: string[] = [];
    const a = definePlugin({ name: 'a', close: () => void calls.push('a') });
    const b = definePlugin({
      name: 'b',
      close: () => {
        throw new Error('close failed');
      },
    });
    const { host: h, logger } = await start([a, b]);
    await h.close();
    expect(calls).toEqual(['a']);
    expect(logger.lines.find((l) => l.level === 'error')?.fields).toMatchObject({ plugin: 'b', hook: 'close', code: 'E2V_ERR_PLUGIN_THREW' });
  });
});
