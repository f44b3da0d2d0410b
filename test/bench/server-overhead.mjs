/**
 * Loopback load benchmark of the e2v server (not a test): how much the HTTP layer adds to an
 * analysis.
 *
 * 1. Model: converts the golden tiny checkpoint (test/fixtures/emotion2vec/checkpoints/tiny-a,
 *    fp32) into a temporary folder, so the model's own time is small and the server's share shows.
 * 2. Input: the first second of the golden 16 kHz speech, as a WAV file (32 kB).
 * 3. Baseline: `Engine.analyze(wavBytes)` in this process, one call after another (decode,
 *    resample, inference, Result: what the server does for one request, minus HTTP).
 * 4. Server: `startServer` in this process on 127.0.0.1, loaded with autocannon (programmatic API,
 *    keep-alive connections): `GET /api/v1/health` (pure HTTP overhead) and
 *    `POST /api/v1/analyze` with the WAV as the raw body, each with 1 connection (latency) and
 *    more connections (throughput; the server runs one analysis at a time, the rest queue).
 *
 * Latencies are taken per response from autocannon's `response` events (float ms; its own
 * histogram rounds to whole ms). The table gives p50/p99, requests/s, the ratio to the engine
 * baseline and the overhead per request (server latency − engine latency). autocannon's client
 * shares this process's event loop with the server, so its cost is counted as server overhead
 * (an upper bound).
 *
 * Needs the built packages (`pnpm build`).
 *
 *   tsx test/bench/server-overhead.mjs [--duration 10] [--connections 8]
 * @module
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuHeader, markdownTable } from '@e2v/benchkit';
import { convertCheckpoint } from '@e2v/convert';
import { Engine, encodeWavPcm16, loadAudio16k } from '@e2v/engine';
import { cpuFeatures } from '@e2v/native';
import { startServer } from '@e2v/server';

const CHECKPOINT = fileURLToPath(new URL('../fixtures/emotion2vec/checkpoints/tiny-a', import.meta.url));
const SPEECH = fileURLToPath(new URL('../fixtures/emotion2vec/inputs/speech_16k_mono.wav', import.meta.url));

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
  },
});
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
if (!(DURATION_S > 0) || !(CONNECTIONS >= 1)) throw new RangeError('--duration and --connections must be positive numbers');

/**
 * The p-th percentile (0-100) of sorted values, nearest rank.
 * @param {Float64Array} sorted
 * @param {number} p
 */
function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return /** @type {number} */ (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

/**
 * @typedef {object} Row one scenario's latencies (ms)
 * @property {string} name
 * @property {number} connections
 * @property {number} requests
 * @property {number} perSecond
 * @property {number} p50
 * @property {number} p99
 * @property {number} mean
 * @property {number} [non2xx]
 * @property {number} [errors]
 */

/**
 * Summary of latencies (ms) measured over `seconds`.
 * @param {string} name
 * @param {number} connections
 * @param {number[]} latencies
 * @param {number} seconds
 * @param {{ non2xx?: number, errors?: number }} [extra] failed requests, for autocannon runs
 * @returns {Row}
 */
function summarize(name, connections, latencies, seconds, extra = {}) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    name,
    connections,
    requests: sorted.length,
    perSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    ...extra,
  };
}

/**
 * Calls the engine back to back for `seconds` after `warmup` calls.
 * @param {string} name
 * @param {Engine} engine
 * @param {Uint8Array} wav
 * @param {number} seconds
 */
async function runEngine(name, engine, wav, seconds, warmup = 20) {
  for (let i = 0; i < warmup; i++) await engine.analyze(wav);
  /** @type {number[]} */
  const latencies = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const t = performance.now();
    await engine.analyze(wav);
    latencies.push(performance.now() - t);
  }
  return summarize(name, 1, latencies, (performance.now() - started) / 1000);
}

/**
 * Runs autocannon against one route; latencies of 2xx responses only, errors counted.
 * @param {string} name
 * @param {import('autocannon').Options & { connections: number }} options
 */
async function runCannon(name, options) {
  // Warm-up: the route's first requests (JIT, connection setup) are not measured.
  await autocannon({ ...options, duration: 1 });
  /** @type {number[]} */
  const latencies = [];
  const instance = autocannon({ ...options, duration: DURATION_S });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  return summarize(name, options.connections, latencies, result.duration, { non2xx: result.non2xx, errors: result.errors + result.timeouts });
}

const fmt = (/** @type {number} */ value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/**
 * @param {Row[]} rows
 * @param {Row} baseline
 */
function printTable(rows, baseline) {
  const header = [
    'scenario',
    'conns',
    'requests',
    'req/s',
    'p50 ms',
    'p99 ms',
    'p50 / engine',
    'p99 / engine',
    'overhead p50 ms',
    'overhead p99 ms',
    'non-2xx',
    'errors',
  ];
  const lines = rows.map((row) => {
    const analysis = row.name !== 'GET /api/v1/health';
    const isBaseline = row.name.startsWith('Engine.analyze');
    return [
      row.name,
      String(row.connections),
      String(row.requests),
      fmt(row.perSecond, 0),
      fmt(row.p50, 3),
      fmt(row.p99, 3),
      `${fmt(row.p50 / baseline.p50, 2)}x`,
      `${fmt(row.p99 / baseline.p99, 2)}x`,
      isBaseline ? '—' : analysis ? fmt(row.p50 - baseline.p50, 3) : `${fmt(row.p50, 3)} (all)`,
      isBaseline ? '—' : analysis ? fmt(row.p99 - baseline.p99, 3) : `${fmt(row.p99, 3)} (all)`,
      String(row.non2xx ?? 0),
      String(row.errors ?? 0),
    ];
  });
  console.log(markdownTable(header, lines));
}

const tmp = await mkdtemp(join(tmpdir(), 'e2v-bench-server-'));
try {
  const modelDir = join(tmp, 'tiny-a');
  await convertCheckpoint({ from: CHECKPOINT, out: modelDir, int8: false, maskUnusedLabels: false, name: 'tiny-a' });
  const speech = await loadAudio16k(new Uint8Array(await readFile(SPEECH)));
  const wav = encodeWavPcm16(speech.samples.subarray(0, 16000), 16000);

  console.log(
    `# e2v server overhead: node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  console.log(`${(await cpuHeader(cpuFeatures(), 2)).text}\n`);
  console.log(`model tiny-a (golden tiny checkpoint, fp32), input 1.0 s WAV (${wav.byteLength} bytes), ${DURATION_S} s per scenario\n`);

  // 1. Baseline, with its own engine (closed before the server loads the model).
  const engine = await Engine.load(modelDir);
  const baseline = await runEngine('Engine.analyze (baseline)', engine, wav, DURATION_S);
  await engine.close();

  // 2. The server.
  const server = await startServer({
    modelDir,
    port: 0,
    host: '127.0.0.1',
    dataDir: join(tmp, 'data'),
    outputsDir: join(tmp, 'outputs'),
    modelsDir: join(tmp, 'models'),
    logger: false,
  });
  const rows = [baseline];
  try {
    const health = { url: `${server.url}/api/v1/health` };
    const analyze = { url: `${server.url}/api/v1/analyze`, method: 'POST', headers: { 'content-type': 'audio/wav' }, body: Buffer.from(wav) };
    rows.push(await runCannon('GET /api/v1/health', { ...health, connections: 1 }));
    rows.push(await runCannon('GET /api/v1/health', { ...health, connections: CONNECTIONS }));
    rows.push(await runCannon('POST /api/v1/analyze', { ...analyze, connections: 1 }));
    rows.push(await runCannon('POST /api/v1/analyze', { ...analyze, connections: Math.min(CONNECTIONS, 8) }));
  } finally {
    await server.close();
  }
  // 3. The baseline again: how much the machine drifted during the run (shared CPUs).
  const again = await Engine.load(modelDir);
  rows.push(await runEngine('Engine.analyze (again, after)', again, wav, DURATION_S));
  await again.close();

  printTable(rows, baseline);
  console.log('\nratios and overhead against the first baseline row; overhead = server latency − engine latency');
  console.log('(for health: its whole latency). The second engine row shows how much the machine drifted. With more than one');
  console.log('connection the server still runs one analysis at a time, so analyze latency includes queueing.');
  const failed = rows.some((row) => (row.non2xx ?? 0) > 0 || (row.errors ?? 0) > 0);
  if (failed) {
    console.error('\nsome requests failed (non-2xx or errors): the numbers above are not comparable');
    process.exitCode = 1;
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
