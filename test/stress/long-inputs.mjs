/**
 * `pnpm stress:long`: long inputs through `e2v serve` with the full-size random model (issue 12,
 * part 3; not part of `pnpm test`; Linux, since it reads /proc). Inputs are MP3 (48 kHz mono:
 * the speech fixture's frames repeated), so no encoder is needed.
 *
 * 1. Fairness: a 10-minute analysis (frame + embedding) runs while a client sends 4-second
 *    requests one after another; the wait of each (its latency minus its own analysis time alone),
 *    with `--concurrency 1` (everything waits for the long one, the old behaviour) and with the
 *    default 2 (turns a segment each), in the same run.
 * 2. The 10-minute analysis itself: status, time, response size, peak RSS over the model's RSS.
 * 3. A 60-minute analysis (frame + embedding): the same figures.
 *
 *   pnpm stress:long [--cache DIR] [--long-min 60] [--threads 2] [--parts fair,long]
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuHeader, FULL_SIZE_CACHE, fullSizeModel, markdownTable } from '@e2v/benchkit';
import { convertCheckpoint, synthCheckpoint } from '@e2v/convert';
import { cpuFeatures } from '@e2v/native';
import { declaredDurationS } from '../../packages/engine/src/decode/declared-duration.ts';
import { repeatedMp3 } from '../../packages/engine/src/test-support/long-audio.ts';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const CONVERT_ONNX = fileURLToPath(new URL('../../packages/convert/dist/onnx/', import.meta.url));

const { values: args } = parseArgs({
  options: {
    cache: { type: 'string', default: FULL_SIZE_CACHE },
    'long-min': { type: 'string', default: '60' },
    threads: { type: 'string', default: '2' },
    shorts: { type: 'string', default: '8' },
    parts: { type: 'string', default: 'fair,long' },
  },
});
const LONG_MIN = Number(args['long-min']);
const SHORTS = Number(args.shorts);

/**
 * VmHWM / VmRSS of a process in MB.
 * @param {number | undefined} pid
 * @param {'VmHWM' | 'VmRSS'} field
 */
function procMb(pid, field) {
  return Number(/** @type {RegExpExecArray} */ (new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8')))[1]) / 1024;
}

/**
 * Starts `e2v serve`; resolves with its URL and child once it listens.
 * @param {string} model
 * @param {number} concurrency
 */
async function serve(model, concurrency) {
  const cwd = await mkdtemp(join(tmpdir(), 'e2v-stress-long-'));
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--no-pull', '--model', model, '--threads', args.threads, '--concurrency', String(concurrency)],
    {
      cwd,
      env: { ...process.env, TMPDIR: cwd },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  /** @type {string} */
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) resolve(/** @type {string} */ (match[1]));
    });
    child.once('exit', (code) => reject(new Error(`e2v serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/**
 * POSTs audio to REST analyze; resolves with status, ms, body bytes and the parsed body. (node:http,
 * not fetch: an hour of audio on a busy 2-core machine may take longer than fetch's 300 s
 * headers timeout.)
 * @param {string} url
 * @param {Uint8Array} bytes
 * @param {string} query
 * @returns {Promise<{ status: number | undefined, ms: number, bytes: number, body: any }>}
 */
function analyze(url, bytes, query) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/analyze?${query}`, { method: 'POST', headers: { 'content-length': bytes.length } }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode, ms: performance.now() - started, bytes: Buffer.byteLength(text), body: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

/**
 * The p-th percentile (0-100) of values.
 * @param {number[]} values
 * @param {number} p
 */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return /** @type {number} */ (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

const MB = 1024 * 1024;
/** @type {string[][]} */
const rows = [];
const row = (/** @type {string} */ scenario, /** @type {string} */ figure, /** @type {string} */ value) => rows.push([scenario, figure, value]);

const header = await cpuHeader(cpuFeatures(), Number(args.threads));
console.log(header.text);
const model = await fullSizeModel({ synthCheckpoint, convertCheckpoint, graphCodeDir: CONVERT_ONNX }, { cache: args.cache });
/** An MP3 of at most `seconds` (speech.mp3's frames repeated; one copy is a little over 1 s). */
const mp3Of = (/** @type {number} */ seconds) => repeatedMp3(Math.floor(seconds / /** @type {number} */ (declaredDurationS(repeatedMp3(1), 'mp3'))));
const ten = mp3Of(600);
const short = mp3Of(4);
const parts = new Set(args.parts.split(','));

for (const concurrency of parts.has('fair') ? [1, 2] : []) {
  const server = await serve(model, concurrency);
  const alone = [];
  for (let i = 0; i < 3; i++) alone.push((await analyze(server.url, short, 'granularity=utterance')).ms);
  const shortAlone = percentile(alone, 50);
  const modelRss = procMb(server.child.pid, 'VmRSS');
  writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5');
  const long = analyze(server.url, ten, 'granularity=frame&embedding=true');
  for (;;) {
    const health = /** @type {{ queue: { running: number } }} */ (await (await fetch(`${server.url}/api/v1/health`)).json());
    if (health.queue.running >= 1) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 2000)); // the long one is past its first segment
  const waits = [];
  let settled = false;
  void long.finally(() => (settled = true));
  // (a request sent while the long one runs counts, even when it ends after it)
  while (waits.length < SHORTS && !settled) {
    const { status, ms } = await analyze(server.url, short, 'granularity=utterance');
    if (status !== 200) throw new Error(`a 4 s request got ${status}`);
    waits.push(ms - shortAlone);
  }
  const result = await long;
  const peak = procMb(server.child.pid, 'VmHWM');
  const scenario = `4 s requests during a 10-min one, --concurrency ${concurrency}`;
  row(scenario, '4 s request alone (ms)', shortAlone.toFixed(0));
  row(
    scenario,
    `wait of the 4 s requests (n=${waits.length}) p50 / max (s)`,
    `${(percentile(waits, 50) / 1000).toFixed(1)} / ${(Math.max(...waits) / 1000).toFixed(1)}`,
  );
  row(`10-min MP3, frame + embedding, --concurrency ${concurrency}`, 'status, time (s)', `${result.status}, ${(result.ms / 1000).toFixed(1)}`);
  row(
    `10-min MP3, frame + embedding, --concurrency ${concurrency}`,
    'response (MB), embedding inline, warnings',
    `${(result.bytes / MB).toFixed(1)}, ${result.body.embedding !== null}, ${(result.body.warnings ?? []).map((/** @type {{ code: string }} */ w) => w.code).join(' ') || 'none'}`,
  );
  row(`10-min MP3, frame + embedding, --concurrency ${concurrency}`, 'model RSS / peak (MB)', `${modelRss.toFixed(0)} / ${peak.toFixed(0)}`);
  await server.stop();
}

if (parts.has('long')) {
  const server = await serve(model, 2);
  await analyze(server.url, short, 'granularity=utterance');
  const modelRss = procMb(server.child.pid, 'VmRSS');
  writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5');
  const mp3 = mp3Of(LONG_MIN * 60);
  const result = await analyze(server.url, mp3, 'granularity=frame&embedding=true');
  const peak = procMb(server.child.pid, 'VmHWM');
  const scenario = `${LONG_MIN}-min MP3 (${(mp3.length / MB).toFixed(1)} MB), frame + embedding`;
  row(scenario, 'status, time (s)', `${result.status}, ${(result.ms / 1000).toFixed(1)}`);
  row(
    scenario,
    'response (MB), embedding inline, warnings',
    `${(result.bytes / MB).toFixed(1)}, ${result.body.embedding !== null}, ${(result.body.warnings ?? []).map((/** @type {{ code: string }} */ w) => w.code).join(' ') || 'none'}`,
  );
  row(scenario, 'model RSS / peak (MB)', `${modelRss.toFixed(0)} / ${peak.toFixed(0)}`);
  const over = await analyze(server.url, mp3Of((LONG_MIN + 1) * 60), 'granularity=utterance');
  row(`${LONG_MIN + 1}-min MP3`, 'status, code, time to refusal (s)', `${over.status}, ${over.body.error?.code}, ${(over.ms / 1000).toFixed(1)}`);
  await server.stop();
}

console.log(`\n${markdownTable(['scenario', 'figure', 'value'], rows)}`);
