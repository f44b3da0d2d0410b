import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPluginHost, type PluginHost } from '../../host.js';
import { makeResult, recordingLogger, startReceiver, tempDir, waitFor, type Answer } from '../../test-support/index.js';
import { backoffMs } from './deliver.js';
import { alertPlugin } from './index.js';
import { parseAlertOptions } from './options.js';
import { alertKey } from './queue.js';

let dir: string;
let cleanup: () => Promise<void>;
const closers: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await cleanup();
});

const FAST = { timeoutMs: 400, retries: 20, backoffMs: 5, maxBackoffMs: 20 };
const angryRule = (url: string, extra: object = {}) => ({
  rules: [{ name: 'angry-call', when: { emotion: 'angry', above: 0.75 }, actions: [{ type: 'webhook', url, ...FAST, ...extra }] }],
});

async function start(options: unknown, logger = recordingLogger()): Promise<PluginHost> {
  const host = await createPluginHost({ plugins: [{ plugin: alertPlugin, options, baseDir: dir }], stateDir: join(dir, 'state'), logger, hookTimeoutMs: 2000 });
  closers.push(() => host.close());
  return host;
}

async function receiver(answers: Answer[] = []) {
  const r = await startReceiver(answers);
  closers.push(r.close);
  return r;
}

const analysis = (id: string) => ({ id, input: { name: `${id}.wav` }, options: {} });
const pendingFiles = async () => (await readdir(join(dir, 'state', 'alert', 'pending'))).filter((f) => f.endsWith('.json'));

describe('alert plugin', () => {
  it('should enqueue in onResult and deliver in the background through a 500, a hang and then a success', async () => {
    const r = await receiver([500, 'hang', 503]);
    const logger = recordingLogger();
    const host = await start(angryRule(r.url), logger);
    const out = await host.onResult(makeResult('angry', 0.9), analysis('call-1'));
    expect(out.plugins.alert).toEqual({ triggered: ['angry-call'] });
    expect(r.delivered).toHaveLength(0); // onResult returned before any delivery finished
    await waitFor(() => r.delivered.length === 1);
    await waitFor(async () => (await pendingFiles()).length === 0);
    expect(r.received).toHaveLength(4);
    const key = alertKey('call-1', 'angry-call', 0);
    expect(r.delivered[0]!.headers['idempotency-key']).toBe(key);
    expect(r.delivered[0]!.body).toMatchObject({
      alert_id: key,
      rule: 'angry-call',
      result_id: 'call-1',
      input: 'call-1.wav',
      result: { emotion: 'angry', confidence: 0.9 },
    });
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields.code);
    expect(warnings).toEqual(['E2V_ERR_ALERT_DELIVERY', 'E2V_ERR_ALERT_DELIVERY', 'E2V_ERR_ALERT_DELIVERY']);
    expect(logger.lines.some((l) => String(l.fields.err).includes('timed out after 400 ms'))).toBe(true);
  });

  it('should not alert for results that do not match, and alert once per result id and rule', async () => {
    const r = await receiver();
    const host = await start(angryRule(r.url));
    expect((await host.onResult(makeResult('angry', 0.7), analysis('calm'))).plugins.alert).toEqual({ triggered: [] });
    await Promise.all([host.onResult(makeResult('angry', 0.9), analysis('dup')), host.onResult(makeResult('angry', 0.9), analysis('dup'))]);
    await waitFor(() => r.delivered.length === 1);
    await host.onResult(makeResult('angry', 0.9), analysis('dup'));
    await host.onResult(makeResult('angry', 0.95), analysis('other'));
    await waitFor(() => r.delivered.length === 2);
    await host.close();
    expect(r.received.map((x) => (x.body as { result_id: string }).result_id)).toEqual(['dup', 'other']);
  });

  it('should survive a restart: alerts queued while the receiver is down are delivered by the next host, none twice', async () => {
    const r = await receiver(Array<Answer>(1000).fill(500));
    const first = await start(angryRule(r.url));
    await first.onResult(makeResult('angry', 0.9), analysis('r1'));
    await first.onResult(makeResult('angry', 0.9), analysis('r2'));
    await waitFor(() => r.received.length >= 4);
    await first.close();
    expect(await pendingFiles()).toHaveLength(2);
    expect(r.delivered).toHaveLength(0);

    r.answers.length = 0; // the receiver recovers
    const second = await start(angryRule(r.url));
    await waitFor(() => r.delivered.length === 2);
    await waitFor(async () => (await pendingFiles()).length === 0);
    await second.onResult(makeResult('angry', 0.9), analysis('r1')); // already delivered: not again
    await second.close();

    const third = await start(angryRule(r.url));
    await third.onResult(makeResult('angry', 0.9), analysis('r2'));
    await third.close();
    expect(r.delivered.map((x) => (x.body as { result_id: string }).result_id).sort()).toEqual(['r1', 'r2']);
    expect(await readdir(join(dir, 'state', 'alert', 'delivered'))).toHaveLength(2);
  });

  it('should wait at close for deliveries in progress and report delivered and pending alerts', async () => {
    const r = await receiver([500, 500, 500]); // a receiver that fails its first 3 requests
    const logger = recordingLogger();
    const host = await createPluginHost({ plugins: [{ plugin: alertPlugin, options: angryRule(r.url), baseDir: dir }], stateDir: join(dir, 'state'), logger });
    await host.onResult(makeResult('angry', 0.9), analysis('d1'));
    await host.onResult(makeResult('angry', 0.9), analysis('d2'));
    expect(await host.close()).toEqual({ alert: { delivered: 2, pending: 0 } });
    expect(r.delivered).toHaveLength(2);
    expect(await pendingFiles()).toHaveLength(0);
  });

  it('should leave undeliverable alerts queued after drainTimeoutMs and say so', async () => {
    const r = await receiver(['hang', 'hang']);
    const logger = recordingLogger();
    const host = await createPluginHost({
      plugins: [{ plugin: alertPlugin, options: { ...angryRule(r.url, { timeoutMs: 60_000 }), drainTimeoutMs: 300 }, baseDir: dir }],
      stateDir: join(dir, 'state'),
      logger,
    });
    await host.onResult(makeResult('angry', 0.9), analysis('h1'));
    const t0 = performance.now();
    expect(await host.close()).toEqual({ alert: { delivered: 0, pending: 1 } });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(logger.lines.some((l) => l.level === 'warn' && l.fields.pending === 1 && /left queued/.test(l.message))).toBe(true);
    expect(await pendingFiles()).toHaveLength(1);
  });

  it('should give up after the retries (keeping the alert queued) and deliver it on the next start', async () => {
    const r = await receiver([500, 500, 500]);
    const logger = recordingLogger();
    const host = await start(angryRule(r.url, { retries: 2 }), logger);
    await host.onResult(makeResult('angry', 0.9), analysis('g'));
    await waitFor(() => logger.lines.some((l) => l.level === 'error' && /stays queued/.test(l.message)));
    expect(r.received).toHaveLength(3);
    await host.close();
    await start(angryRule(r.url, { retries: 2 }));
    await waitFor(() => r.delivered.length === 1);
  });

  it('should write log lines and append to files', async () => {
    const logger = recordingLogger();
    const options = {
      rules: [
        {
          name: 'sad',
          when: { emotion: 'sad' },
          actions: [
            { type: 'log', level: 'error' },
            { type: 'file', path: 'alerts/sad.jsonl' },
          ],
        },
        { name: 'loud', when: { not: { emotion: 'sad' } }, actions: [{ type: 'log' }] },
      ],
    };
    const host = await start(options, logger);
    expect((await host.onResult(makeResult('sad', 0.6), analysis('s1'))).plugins.alert).toEqual({ triggered: ['sad'] });
    await host.onResult(makeResult('sad', 0.6), analysis('s2'));
    await waitFor(async () => (await readFile(join(dir, 'alerts', 'sad.jsonl'), 'utf8').catch(() => '')).split('\n').length === 3);
    await waitFor(() => logger.lines.filter((l) => l.message === 'alert: sad').length === 2);
    const lines = (await readFile(join(dir, 'alerts', 'sad.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { result_id: string });
    expect(lines.map((l) => l.result_id).sort()).toEqual(['s1', 's2']);
    expect(logger.lines.find((l) => l.message === 'alert: sad')).toMatchObject({ level: 'error', fields: { plugin: 'alert', alert: { rule: 'sad' } } });
  });
});

describe('alert options', () => {
  it('should fill in defaults', () => {
    expect(
      parseAlertOptions({ rules: [{ name: 'r', when: { emotion: 'angry' }, actions: [{ type: 'webhook', url: 'http://127.0.0.1:1/x' }, { type: 'log' }] }] }),
    ).toEqual({
      rules: [
        {
          name: 'r',
          when: { emotion: 'angry' },
          actions: [
            { type: 'webhook', url: 'http://127.0.0.1:1/x', timeoutMs: 5000, headers: {}, retries: 10, backoffMs: 500, maxBackoffMs: 60000 },
            { type: 'log', level: 'warn', retries: 10, backoffMs: 500, maxBackoffMs: 60000 },
          ],
        },
      ],
      drainTimeoutMs: 30000,
    });
  });

  it.each([
    [{}, /alert options\.rules/],
    [{ rules: [] }, /at least 1/],
    [{ rules: [{ name: 'a', when: { emotion: 'x' }, actions: [] }] }, /rules\[0\]\.actions/],
    [{ rules: [{ name: 'a', when: { emotion: 'x' }, actions: [{ type: 'sms' }] }] }, /rules\[0\]\.actions\[0\]\.type/],
    [{ rules: [{ name: 'a', when: { emotion: 'x' }, actions: [{ type: 'webhook', url: 'ftp://x' }] }] }, /http\(s\) URL/],
    [{ rules: [{ name: 'a', when: { emotion: 'x' }, actions: [{ type: 'log', url: 'http://x' }] }] }, /Unknown option rules\[0\]\.actions\[0\]\.url/],
    [{ rules: [{ name: 'a', when: { emotion: 'x' }, actions: [{ type: 'log', level: 'loud' }] }] }, /level/],
    [{ rules: [{ name: 'a', when: { emotion: 'x' }, actions: [{ type: 'log', retries: 1.5 }] }] }, /integer/],
    [
      {
        rules: [
          { name: 'a', when: { emotion: 'x' }, actions: [{ type: 'log' }] },
          { name: 'a', when: { emotion: 'y' }, actions: [{ type: 'log' }] },
        ],
      },
      /Two alert rules are named "a"/,
    ],
  ])('should reject %j', (raw, message) => {
    expect(() => parseAlertOptions(raw)).toThrow(message);
  });

  it('should back off exponentially up to the cap', () => {
    const policy = { retries: 5, backoffMs: 100, maxBackoffMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffMs(policy, a))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
