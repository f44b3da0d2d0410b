/**
 * Per-job overhead of the queue path (not a test): what BullMQ + Redis add to one analysis.
 *
 * 1. Model: the golden tiny checkpoint (tiny-a, fp32) converted into a temporary folder, so the
 *    model's own time is small and the queue's share shows.
 * 2. Inputs: the first second of the golden 16 kHz speech as WAV files, each with one sample
 *    changed so that every job has its own content (and its own job id).
 * 3. Baseline: `Engine.analyze(wav)` in this process, one call after another.
 * 4. Queue: a real redis-server (test/support/redis.ts), an `AnalysisWorker` on its own engine
 *    and an `AnalysisClient` in this process, one job after another: store the audio, add the
 *    job, the worker takes it, runs it, returns the Result, the client is woken by the event.
 *
 * The table gives p50/p99 and the overhead per job (queue latency − engine latency). Worker and
 * client share this process, so the worker's side of Redis is counted too.
 *
 *   tsx test/bench/queue-overhead.mjs [--jobs 300]
 * @module
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuHeader, markdownTable } from '@e2v/benchkit';
import { convertCheckpoint } from '@e2v/convert';
import { Engine, encodeWavPcm16, loadAudio16k } from '@e2v/engine';
import { cpuFeatures } from '@e2v/native';
import { AnalysisClient, AnalysisWorker, modelIdentity } from '@e2v/queue';
import { TestRedis } from '../support/redis.ts';

const CHECKPOINT = fileURLToPath(new URL('../fixtures/emotion2vec/checkpoints/tiny-a', import.meta.url));
const SPEECH = fileURLToPath(new URL('../fixtures/emotion2vec/inputs/speech_16k_mono.wav', import.meta.url));

const { values: args } = parseArgs({ options: { jobs: { type: 'string', default: '300' } } });
const JOBS = Number(args.jobs);
if (!(JOBS >= 10)) throw new RangeError('--jobs must be at least 10');

/**
 * The p-th percentile (0-100) of sorted values, nearest rank.
 * @param {ArrayLike<number>} sorted
 * @param {number} p
 * @returns {number}
 */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/**
 * Latencies (ms) of `run` over each input, one after another (after 10 warm-up calls).
 * @template T
 * @param {T[]} inputs
 * @param {(input: T) => Promise<unknown>} run
 * @returns {Promise<Float64Array>}
 */
async function time(inputs, run) {
  for (const input of inputs.slice(0, 10)) await run(input);
  const latencies = [];
  for (const input of inputs) {
    const start = performance.now();
    await run(input);
    latencies.push(performance.now() - start);
  }
  return Float64Array.from(latencies).sort();
}

const dir = await mkdtemp(join(tmpdir(), 'e2v-bench-queue-'));
const redis = await TestRedis.start();
try {
  const modelDir = join(dir, 'tiny-a');
  await convertCheckpoint({ from: CHECKPOINT, out: modelDir, int8: false, maskUnusedLabels: false, name: 'tiny-a' });
  const speech = (await loadAudio16k(new Uint8Array(await readFile(SPEECH)))).samples.subarray(0, 16000);
  const inputs = Array.from({ length: JOBS + 10 }, (_, i) => {
    const samples = Float32Array.from(speech);
    samples[0] = i / 32768;
    const bytes = encodeWavPcm16(samples, 16000);
    return {
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      name: `in-${i}.wav`,
      options: { granularity: /** @type {const} */ ('utterance'), windowS: 1, embedding: false },
    };
  });
  const engine = await Engine.load(modelDir, { threads: 1, variant: 'fp32' });
  const workerEngine = await Engine.load(modelDir, { threads: 1, variant: 'fp32' });
  const identity = await modelIdentity(modelDir, 'fp32');
  const worker = new AnalysisWorker({ url: redis.url, engine: workerEngine, identity });
  const client = new AnalysisClient({ url: redis.url, identity });
  try {
    const local = await time(inputs, (input) => engine.analyze(input.bytes));
    const queued = await time(inputs, (input) => client.analyze(input));
    console.log(
      `# e2v queue overhead: node ${process.version}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    console.log(`${(await cpuHeader(cpuFeatures(), 2)).text}\n`);
    console.log(`model tiny-a (golden tiny checkpoint, fp32, 1 thread), input 1.0 s WAV, ${JOBS} jobs one after another, redis-server on loopback\n`);
    /** @type {(name: string, sorted: Float64Array) => string[]} */
    const row = (name, sorted) => [
      name,
      percentile(sorted, 50).toFixed(2),
      percentile(sorted, 99).toFixed(2),
      (percentile(sorted, 50) - percentile(local, 50)).toFixed(2),
      (percentile(sorted, 99) - percentile(local, 99)).toFixed(2),
    ];
    console.log(
      markdownTable(
        ['path', 'p50 ms', 'p99 ms', 'overhead p50 ms', 'overhead p99 ms'],
        [row('in-process Engine.analyze', local), row('queue: AnalysisClient -> AnalysisWorker', queued)],
      ),
    );
  } finally {
    await client.close();
    await worker.close();
    await Promise.all([engine.close(), workerEngine.close()]);
  }
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
