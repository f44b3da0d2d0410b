/**
 * Scale-out on BullMQ as users run it: a real redis-server (test/support/redis.ts), real
 * `e2v worker` processes and the built `e2v analyze --redis`, with the tiny golden models.
 * Every file is recorded exactly once and equals a local in-process run within 1e-6; a worker
 * SIGKILLed mid-job has its job taken over; a Redis restart mid-batch loses and duplicates
 * nothing (the batch completes, or stops with E2V_ERR_QUEUE_UNAVAILABLE and `--resume` completes
 * it); a worker with another model takes none of the jobs; a password in a Redis URL is never
 * shown.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWavPcm16 } from '@e2v/engine';
import { readNpy } from '@e2v/npy';
import { testModelDir, type TestModel } from '@e2v/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestRedis } from '../support/redis.js';

const cliMain = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/** A running `e2v worker` and what it printed. */
interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  /** Jobs it finished. */
  done: () => number;
}

let redis: TestRedis;
const workers: WorkerProcess[] = [];

/** Starts `e2v worker` and resolves once it serves. */
async function startWorker(model: TestModel, ...extra: string[]): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [cliMain, 'worker', '--redis', redis.url, '--model', testModelDir(model), '--threads', '1', '--lock-ms', '1000', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const worker: WorkerProcess = { child, log: () => text, done: () => (text.match(/: done$/gm) ?? []).length };
  workers.push(worker);
  await until(() => text.includes('serving') || child.exitCode !== null, 20_000);
  if (child.exitCode !== null) throw new Error(`e2v worker exited: ${text}`);
  return worker;
}

/** Stops a worker with SIGTERM (SIGKILL after 10 s) and gives its exit code. */
async function stopWorker(worker: WorkerProcess): Promise<number | null> {
  const { child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return exited.finally(() => clearTimeout(timer));
}

/** Polls `condition` every 50 ms. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `e2v analyze` to its end. */
function analyze(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliMain, 'analyze', '--model', testModelDir('tiny-a'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stderr })));
}

/** The records of a JSONL file (none when it does not exist). */
async function jsonl(path: string): Promise<Record<string, any>[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** `count` tones of `seconds` (distinct content) in a new folder. */
async function tones(count: number, seconds: number, base: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'e2v-scale-tones-'));
  for (let i = 0; i < count; i++) {
    const samples = new Float32Array(16000 * seconds).map((_, n) => 0.3 * Math.sin((2 * Math.PI * (base + 7 * i) * n) / 16000));
    await writeFile(join(dir, `tone-${String(i).padStart(2, '0')}.wav`), encodeWavPcm16(samples, 16000));
  }
  return dir;
}

/** Each path's record must appear exactly once, for every file of the batch. */
function expectExactlyOnce(records: Record<string, any>[], count: number): void {
  const files = records.map((r) => r.file as string);
  expect(new Set(files).size).toBe(files.length);
  expect(files).toHaveLength(count);
}

/** The queued records equal the local ones within 1e-6 (scores), and their embeddings too. */
async function expectSameAsLocal(queued: Record<string, any>[], local: Record<string, any>[]): Promise<void> {
  const byFile = new Map(local.map((r) => [r.file as string, r]));
  for (const q of queued) {
    const l = byFile.get(q.file)!;
    expect(q.key).toBe(l.key);
    expect(q.result.emotion).toBe(l.result.emotion);
    for (const [label, score] of Object.entries(l.result.scores as Record<string, number>))
      expect(Math.abs(q.result.scores[label] - score)).toBeLessThanOrEqual(1e-6);
    if (l.embedding_npy === undefined) continue;
    const [a, b] = await Promise.all([q.embedding_npy, l.embedding_npy].map(async (p: string) => readNpy(new Uint8Array(await readFile(p)))));
    expect(a!.shape).toEqual(b!.shape);
    const [da, db] = [a!.data as Float32Array, b!.data as Float32Array];
    expect(da.every((v, i) => Math.abs(v - db[i]!) <= 1e-6)).toBe(true);
  }
}

/** `e2v queue status --json`. */
function queueStatus(): {
  queues: { identity: string; counts: Record<string, number>; workers: number; completedPerMinute: number[] }[];
  workers: { pid: number; model: string }[];
} {
  const run = spawnSync(process.execPath, [cliMain, 'queue', 'status', '--redis', redis.url, '--json'], { encoding: 'utf8', timeout: 20_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

beforeAll(async () => {
  redis = await TestRedis.start();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map(stopWorker));
});
afterAll(async () => {
  await redis?.stop();
});

describe('e2v analyze --redis with e2v workers', () => {
  it('should analyze 60 files with 3 workers, each exactly once, equal to a local run within 1e-6', async () => {
    const input = await tones(60, 1, 110);
    const out = await mkdtemp(join(tmpdir(), 'e2v-scale-out-'));
    const local = await analyze([input, '--out', join(out, 'local'), '--embedding', '--threads', '1']);
    expect(local.status, local.stderr).toBe(0);
    const started = await Promise.all([startWorker('tiny-a'), startWorker('tiny-a'), startWorker('tiny-a')]);
    const queued = await analyze([input, '--out', join(out, 'queued'), '--embedding', '--csv', '--redis', redis.url]);
    expect(queued.status, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/ {2}analyzed +60\n {2}failed +0\n/);
    const records = await jsonl(join(out, 'queued', 'results.jsonl'));
    expectExactlyOnce(records, 60);
    await expectSameAsLocal(records, await jsonl(join(out, 'local', 'results.jsonl')));
    expect((await readFile(join(out, 'queued', 'results.csv'), 'utf8')).trimEnd().split('\n')).toHaveLength(61);
    expect(started.reduce((sum, w) => sum + w.done(), 0)).toBe(60);

    const again = await analyze([input, '--out', join(out, 'queued'), '--embedding', '--redis', redis.url, '--resume']);
    expect(again.stderr).toMatch(/ {2}analyzed +0\n {2}failed +0\n {2}skipped \(done before\) +60\n/);
    const resubmitted = await analyze([input, '--out', join(out, 'resubmitted'), '--embedding', '--redis', redis.url]);
    expect(resubmitted.status).toBe(0);
    expect(started.reduce((sum, w) => sum + w.done(), 0)).toBe(60); // the finished jobs answered, none run again
    const status = queueStatus();
    expect(status.workers.map((w) => w.pid).sort()).toEqual(started.map((w) => w.child.pid).sort());
    const [queue] = status.queues.filter((q) => q.workers === 3);
    expect(queue!.counts).toMatchObject({ waiting: 0, active: 0, completed: 60, failed: 0 });
    expect(queue!.completedPerMinute[0]! + queue!.completedPerMinute[1]!).toBe(60);
    expect(await Promise.all(started.map(stopWorker))).toEqual([0, 0, 0]);
    expect(started[0]!.log()).toContain('stopping: finishing the jobs in hand');
  });

  it('should complete the batch when a worker is SIGKILLed in the middle of a job, each file exactly once', async () => {
    const input = await tones(12, 30, 300);
    const out = await mkdtemp(join(tmpdir(), 'e2v-scale-kill-'));
    const [victim] = await Promise.all([startWorker('tiny-a'), startWorker('tiny-a')]);
    const batch = analyze([input, '--out', out, '--redis', redis.url]);
    await until(() => victim!.done() >= 1, 30_000);
    victim!.child.kill('SIGKILL'); // it took its next job at once: killed in the middle of it
    const { status, stderr } = await batch;
    expect(status, stderr).toBe(0);
    expectExactlyOnce(await jsonl(join(out, 'results.jsonl')), 12);
    expect(await jsonl(join(out, 'errors.jsonl'))).toEqual([]);
  });

  it('should lose and duplicate nothing when redis-server restarts mid-batch (completed directly or by --resume)', async () => {
    const input = await tones(16, 20, 500);
    const out = await mkdtemp(join(tmpdir(), 'e2v-scale-restart-'));
    await Promise.all([startWorker('tiny-a'), startWorker('tiny-a')]);
    const batch = analyze([input, '--out', out, '--redis', redis.url, '--redis-timeout', '5']);
    await until(() => workers.some((w) => w.done() >= 2), 30_000);
    await redis.restart();
    let { status, stderr } = await batch;
    if (status !== 0) {
      expect(status, stderr).toBe(69);
      expect(stderr).toContain('E2V_ERR_QUEUE_UNAVAILABLE');
      ({ status, stderr } = await analyze([input, '--out', out, '--redis', redis.url, '--resume']));
    }
    expect(status, stderr).toBe(0);
    expectExactlyOnce(await jsonl(join(out, 'results.jsonl')), 16);
    expect(await jsonl(join(out, 'errors.jsonl'))).toEqual([]);
  });

  it('should stop with E2V_ERR_QUEUE_UNAVAILABLE (exit 69) when Redis stays away, and --resume should complete the batch once each', async () => {
    const input = await tones(10, 20, 700);
    const out = await mkdtemp(join(tmpdir(), 'e2v-scale-away-'));
    const worker = await startWorker('tiny-a');
    const batch = analyze([input, '--out', out, '--redis', redis.url, '--redis-timeout', '1']);
    await until(() => worker.done() >= 2, 30_000);
    await redis.halt();
    const stopped = await batch;
    expect(stopped.status, stopped.stderr).toBe(69);
    expect(stopped.stderr).toMatch(
      /e2v: E2V_ERR_QUEUE_UNAVAILABLE: Redis at redis:\/\/127\.0\.0\.1:\d+ unreachable for more than 1 s; \d+ files not done: bring Redis back, then run again with --resume/,
    );
    expect((await jsonl(join(out, 'results.jsonl'))).length).toBeLessThan(10);
    await redis.launch();
    const resumed = await analyze([input, '--out', out, '--redis', redis.url, '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expectExactlyOnce(await jsonl(join(out, 'results.jsonl')), 10);
  });

  it('should never show the password of a Redis URL, from --redis or E2V_REDIS_URL', async () => {
    const secret = `redis://e2v:s3cret-pw@127.0.0.1:${redis.port}`;
    const status = spawnSync(process.execPath, [cliMain, 'queue', 'status', '--redis', secret], { encoding: 'utf8', timeout: 20_000 });
    expect(status.status).toBe(1);
    expect(status.stderr).toContain(`E2V_ERR_QUEUE_UNAVAILABLE: cannot read the queues at redis://***@127.0.0.1:${redis.port}`);
    const child = spawn(process.execPath, [cliMain, 'worker', '--model', testModelDir('tiny-a')], {
      env: { ...process.env, E2V_REDIS_URL: secret },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    workers.push({ child, log: () => log, done: () => 0 });
    await until(() => log.includes('serving'), 20_000);
    expect(log).toContain(`from redis://***@127.0.0.1:${redis.port}`);
    expect(`${status.stderr}${log}`).not.toContain('s3cret-pw');
  });

  it('should leave the jobs to a worker of their model: one with another model takes none, and queue status says they wait', async () => {
    const input = await tones(5, 1, 900);
    const out = await mkdtemp(join(tmpdir(), 'e2v-scale-model-'));
    const other = await startWorker('tiny-b-5class');
    const batch = analyze([input, '--out', out, '--redis', redis.url]);
    let status = queueStatus();
    const waitingFor = () => status.queues.find((q) => q.workers === 0 && q.counts.waiting === 5);
    await until(() => ((status = queueStatus()), waitingFor() !== undefined), 20_000);
    expect(status.workers.map((w) => w.model)).toEqual(['tiny-b-5class']);
    expect(other.done()).toBe(0);
    await startWorker('tiny-a');
    expect((await batch).status).toBe(0);
    expectExactlyOnce(await jsonl(join(out, 'results.jsonl')), 5);
    expect(other.done()).toBe(0);
  });
});
