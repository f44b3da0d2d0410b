/**
 * `pnpm stress`: the server under the loads of issue 12 (not part of `pnpm test`; Linux, since it
 * reads /proc). `e2v serve` runs as users run it (the built CLI, default limits, the golden tiny
 * model converted into a temporary folder) and is measured from outside:
 *
 * 1. 30 concurrent 100 MB bodies to `POST /api/v1/analyze` (raw), then to `POST
 *    /gradio_api/upload` (multipart), each streamed in 1 MB slices after its headers: peak RSS
 *    (VmHWM after resetting it through clear_refs) against the RSS with the model loaded, time
 *    to the first refusal as the client sees it (after a warm-up burst, as on a server that has
 *    been running) and inside the server (its log lines), answers by status. A client stops
 *    sending once it is refused, as curl does.
 * 2. A heartbeat flood: FLOOD idle `GET /gradio_api/heartbeat/<session>` streams (a new session
 *    each), opened by several processes; meanwhile a legitimate client asks `/api/v1/health` and
 *    runs a prediction through the Gradio queue and one through REST; their latencies, and the
 *    streams the server kept open.
 * 3. The same number of silent connections (they send nothing), with the same legitimate client.
 *
 * Goals (issue 12): peak RSS <= model RSS + 300 MB, first refusal within 100 ms, the legitimate
 * client served during the floods. A missed goal sets the exit code to 1.
 *
 *   pnpm stress [-- --flood 20000] [--bodies 30] [--body-mb 100]
 * @module
 */
import { fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { markdownTable } from '@e2v/benchkit';
import { convertCheckpoint } from '@e2v/convert';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const WORKER = fileURLToPath(new URL('./flood-worker.mjs', import.meta.url));
const CHECKPOINT = fileURLToPath(new URL('../fixtures/emotion2vec/checkpoints/tiny-a', import.meta.url));
const SPEECH = readFileSync(fileURLToPath(new URL('../fixtures/emotion2vec/inputs/speech_16k_mono.wav', import.meta.url)));
const MB = 1024 * 1024;
/** Answers that refuse a body before reading it (queue full, too many uploads). */
const REFUSALS = new Set([429, 503]);
/** Uploads the server reads at once by default (limits.maxConcurrentUploads). */
const UPLOADS_AT_ONCE = 8;

const { values: args } = parseArgs({
  options: {
    flood: { type: 'string', default: '20000' },
    bodies: { type: 'string', default: '30' },
    'body-mb': { type: 'string', default: '100' },
    workers: { type: 'string', default: '4' },
  },
});
const FLOOD = Number(args.flood);
const BODIES = Number(args.bodies);
const BODY_BYTES = Number(args['body-mb']) * MB;
const WORKERS = Number(args.workers);
if (![FLOOD, BODIES, BODY_BYTES, WORKERS].every((n) => Number.isInteger(n) && n > 0))
  throw new RangeError('--flood, --bodies, --body-mb and --workers must be positive integers');

/** @type {string[][]} */
const rows = [];
let missed = false;
/**
 * Adds a table row; `ok` false marks a missed goal.
 * @param {string} scenario
 * @param {string} figure
 * @param {string} value
 */
function row(scenario, figure, value, goal = '', ok = true) {
  rows.push([scenario, figure, value, goal === '' ? '' : `${goal} ${ok ? 'ok' : 'MISSED'}`]);
  if (!ok) missed = true;
}

/**
 * A /proc/<pid>/status field in MB.
 * @param {number | undefined} pid
 * @param {'VmHWM' | 'VmRSS'} field
 */
function procMb(pid, field) {
  return Number(/** @type {RegExpExecArray} */ (new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8')))[1]) / 1024;
}

/** @typedef {{ status: number, ms: number }} LogLine a request's status and time, from the server's log */
/** @typedef {{ child: import('node:child_process').ChildProcess, url: string, log: () => LogLine[] }} Server */

/**
 * Starts `e2v serve`; resolves with its URL once it listens.
 * @param {string} modelDir
 * @param {string} tmp
 * @returns {Promise<Server>}
 */
async function serve(modelDir, tmp) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-pull', '--model', modelDir, '--threads', '1'], {
    cwd: tmp,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // the JSON log lines of requests that were answered (the floods log tens of thousands: keep few fields)
  /** @type {LogLine[]} */
  const lines = [];
  let partial = '';
  child.stdout.on('data', (chunk) => {
    const text = partial + chunk;
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete.filter((l) => l.startsWith('{'))) {
      const { status, ms } = JSON.parse(line);
      if (status !== undefined) lines.push({ status, ms });
    }
  });
  /** @type {string} */
  const url = await new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /serving on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) resolve(/** @type {string} */ (match[1]));
    });
    child.once('exit', (code) => reject(new Error(`e2v serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, log: () => lines };
}

/** Slices a client writes at a time (with backpressure), as curl or fetch stream a body. */
const CHUNK = MB;

/**
 * POSTs `parts` on a connection of its own, streamed in {@link CHUNK} slices after the headers;
 * resolves with the status and the time to the response headers. A refused request stops sending.
 * @param {string} url
 * @param {string} path
 * @param {Record<string, string>} headers
 * @param {Uint8Array[]} parts
 * @returns {Promise<{ status: number | string | undefined, ms: number }>}
 */
function post(url, path, headers, parts) {
  const { hostname, port } = new URL(url);
  const length = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const slices = parts.flatMap((part) => Array.from({ length: Math.ceil(part.byteLength / CHUNK) }, (_, i) => part.subarray(i * CHUNK, (i + 1) * CHUNK)));
  const started = performance.now();
  return new Promise((resolve) => {
    // A keep-alive connection of its own, as curl and browsers use: a server answering one that
    // asked for `Connection: close` before reading its body closes it at once (Node), and a
    // client still writing may then see EPIPE before the answer.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const req = request({ host: hostname, port, path, method: 'POST', headers: { ...headers, 'Content-Length': String(length) }, agent });
    req.on('close', () => agent.destroy());
    let next = 0;
    const pump = () => {
      while (next < slices.length && !req.destroyed) {
        const slice = slices[next++];
        if (next === slices.length) req.end(slice);
        else if (!req.write(slice)) return void req.once('drain', pump);
      }
    };
    req.on('response', (res) => {
      const ms = performance.now() - started;
      res.resume();
      if (REFUSALS.has(/** @type {number} */ (res.statusCode))) {
        resolve({ status: res.statusCode, ms });
        req.destroy();
        return;
      }
      res.on('end', () => resolve({ status: res.statusCode, ms }));
    });
    req.on('error', (error) =>
      resolve({ status: `error ${/** @type {NodeJS.ErrnoException} */ (error).code ?? error.message}`, ms: performance.now() - started }),
    );
    req.flushHeaders();
    setImmediate(pump);
  });
}

/**
 * Warms the refusal path of a route, as on a server that has been running: `cap` bodies that send
 * only their headers hold every upload place, one more is refused, then all are dropped.
 * @param {string} url
 * @param {string} path
 * @param {Record<string, string>} headers
 * @param {number} cap
 */
async function warmRefusals(url, path, headers, cap) {
  const { hostname, port } = new URL(url);
  const open = Array.from({ length: cap + 1 }, () =>
    request({ host: hostname, port, path, method: 'POST', headers: { ...headers, 'Content-Length': String(MB) }, agent: false }),
  );
  const answered = Promise.race(open.map((req) => new Promise((resolve) => req.once('response', resolve))));
  for (const req of open) {
    req.on('error', () => undefined);
    req.flushHeaders();
  }
  await answered;
  for (const req of open) req.destroy();
  await new Promise((r) => setTimeout(r, 500));
}

/**
 * Counts of the values of a list, as `value x count` text.
 * @param {unknown[]} values
 */
function tally(values) {
  const counts = new Map();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    .map(([value, n]) => `${value} x${n}`)
    .join(', ');
}

/**
 * Scenario 1: BODIES concurrent bodies of BODY_BYTES to one route.
 * @param {Server} server
 * @param {string} name
 * @param {string} path
 * @param {Record<string, string>} headers
 * @param {Uint8Array[]} parts
 * @param {number} modelRss
 */
async function bodies(server, name, path, headers, parts, modelRss) {
  await warmRefusals(server.url, path, headers, UPLOADS_AT_ONCE);
  const logged = server.log().length;
  writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5');
  const before = procMb(server.child.pid, 'VmRSS');
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: BODIES }, () => post(server.url, path, headers, parts)));
  const seconds = (performance.now() - started) / 1000;
  const peak = procMb(server.child.pid, 'VmHWM');
  const firstRefusal = Math.min(...answers.filter((a) => typeof a.status === 'number' && REFUSALS.has(a.status)).map((a) => a.ms));
  const scenario = `${BODIES} x ${BODY_BYTES / MB} MB ${name}`;
  row(scenario, 'RSS before / peak (MB)', `${before.toFixed(0)} / ${peak.toFixed(0)}`);
  row(scenario, 'peak over model RSS (MB)', (peak - modelRss).toFixed(0), '<= 300', peak - modelRss <= 300);
  if (Number.isFinite(firstRefusal)) row(scenario, 'first refusal seen by the client (ms)', firstRefusal.toFixed(1), '<= 100', firstRefusal <= 100);
  else row(scenario, 'first refusal seen by the client (ms)', 'none: every body was accepted');
  const inServer = server
    .log()
    .slice(logged)
    .filter((line) => REFUSALS.has(line.status))
    .map((line) => line.ms)
    .sort((a, b) => a - b);
  const median = inServer[Math.floor(inServer.length / 2)];
  const max = inServer.at(-1);
  if (median !== undefined && max !== undefined) row(scenario, 'refusals: time in the server, median / max (ms)', `${median.toFixed(1)} / ${max.toFixed(1)}`);
  row(scenario, 'answers', tally(answers.map((a) => a.status)));
  row(scenario, 'all answered in (s)', seconds.toFixed(1));
}

/**
 * GET and time it.
 * @param {() => Promise<boolean>} work
 */
async function timed(work) {
  const started = performance.now();
  const ok = await work();
  return { ok, ms: performance.now() - started };
}

/**
 * The legitimate client: health, a prediction through the Gradio queue, one through REST.
 * @param {string} url
 */
async function legitimate(url) {
  const signal = () => AbortSignal.timeout(30_000);
  const health = await timed(async () => (await fetch(`${url}/api/v1/health`, { signal: signal() })).status === 200).catch(() => ({
    ok: false,
    ms: Number.NaN,
  }));
  const gradio = await timed(async () => {
    const form = new FormData();
    form.append('files', new Blob([SPEECH]), 'speech.wav');
    const [path] = /** @type {string[]} */ (await (await fetch(`${url}/gradio_api/upload`, { method: 'POST', body: form, signal: signal() })).json());
    const session = `legit-${Math.random().toString(36).slice(2)}`;
    const joined = await fetch(`${url}/gradio_api/queue/join`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      signal: signal(),
      body: JSON.stringify({ data: [{ path, meta: { _type: 'gradio.FileData' } }, 'utterance', false], fn_index: 0, session_hash: session }),
    });
    if (joined.status !== 200) return false;
    const text = await (await fetch(`${url}/gradio_api/queue/data?session_hash=${session}`, { signal: signal() })).text();
    return text.includes('"msg":"process_completed"') && text.includes('"success":true');
  }).catch(() => ({ ok: false, ms: Number.NaN }));
  const rest = await timed(async () => (await fetch(`${url}/api/v1/analyze`, { method: 'POST', body: SPEECH, signal: signal() })).status === 200).catch(() => ({
    ok: false,
    ms: Number.NaN,
  }));
  return { health, gradio, rest };
}

/** @typedef {{ type: string, opened: number, ended: number, refused: number, errors: number }} WorkerCounts a flood worker's report */

/**
 * Scenarios 2 and 3: a flood of FLOOD connections of `mode`, with the legitimate client.
 * @param {Server} server
 * @param {'heartbeat' | 'silent'} mode
 */
async function flood(server, mode) {
  const quiet = await legitimate(server.url);
  const per = Math.ceil(FLOOD / WORKERS);
  const started = performance.now();
  const workers = Array.from({ length: WORKERS }, (_, w) =>
    fork(WORKER, [server.url, mode, String(Math.min(per, FLOOD - w * per)), `flood${w}`], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  );
  /** @type {(worker: import('node:child_process').ChildProcess, type: string) => Promise<WorkerCounts>} */
  const message = (worker, type) => new Promise((resolve) => worker.on('message', (/** @type {WorkerCounts} */ m) => m.type === type && resolve(m)));
  const opened = await Promise.all(workers.map((worker) => message(worker, 'opened')));
  const openSeconds = (performance.now() - started) / 1000;
  const serverRss = procMb(server.child.pid, 'VmRSS');
  const during = await legitimate(server.url);
  const counts = await Promise.all(
    workers.map((worker) => {
      const reply = message(worker, 'counts');
      worker.send('report');
      return reply;
    }),
  );
  for (const worker of workers) worker.send('stop');
  /** @type {(key: 'opened' | 'ended' | 'refused' | 'errors', list: WorkerCounts[]) => number} */
  const sum = (key, list) => list.reduce((total, c) => total + c[key], 0);
  const scenario = mode === 'heartbeat' ? `${FLOOD} heartbeat streams` : `${FLOOD} silent connections`;
  row(
    scenario,
    'opened / refused / failed to connect',
    `${sum('opened', opened)} / ${sum('refused', opened)} / ${sum('errors', opened)} in ${openSeconds.toFixed(1)} s`,
  );
  row(scenario, 'still open at the end (closed by the server)', `${sum('opened', counts) - sum('ended', counts)} (${sum('ended', counts)})`);
  row(scenario, 'server RSS during the flood (MB)', serverRss.toFixed(0));
  for (const [what, key] of /** @type {const} */ ([
    ['GET /api/v1/health', 'health'],
    ['predict via queue/join + queue/data', 'gradio'],
    ['POST /api/v1/analyze', 'rest'],
  ])) {
    const { ok, ms } = during[key];
    row(scenario, `legit ${what} (ms; without flood)`, `${ok ? 'served' : 'NOT served'} in ${ms.toFixed(0)} (${quiet[key].ms.toFixed(0)})`, 'served', ok);
  }
  await new Promise((r) => setTimeout(r, 1000));
}

if (process.platform !== 'linux') throw new Error('pnpm stress reads /proc: it runs on Linux only');
const tmp = await mkdtemp(join(tmpdir(), 'e2v-stress-'));
let server;
try {
  const modelDir = join(tmp, 'tiny-a');
  await convertCheckpoint({ from: CHECKPOINT, out: modelDir, int8: false, maskUnusedLabels: false, name: 'tiny-a' });
  server = await serve(modelDir, tmp);
  const warm = await legitimate(server.url);
  if (!warm.health.ok || !warm.gradio.ok || !warm.rest.ok) throw new Error('the server does not answer a plain client');
  const modelRss = procMb(server.child.pid, 'VmRSS');
  console.log(
    `# e2v stress: node ${process.version}, ${/** @type {RegExpMatchArray} */ (readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)).length} CPUs, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  console.log(
    `e2v serve with default limits, model tiny-a (RSS ${modelRss.toFixed(0)} MB after one analysis), open-file limit ${/** @type {RegExpExecArray} */ (/^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${server.child.pid}/limits`, 'utf8')))[1]}\n`,
  );

  const body = new Uint8Array(BODY_BYTES).map((_, i) => (i * 2654435761) >>> 24);
  await bodies(server, 'POST /api/v1/analyze (raw)', '/api/v1/analyze', { 'Content-Type': 'application/octet-stream' }, [body], modelRss);
  const head = Buffer.from('--stress\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n');
  const tail = Buffer.from('\r\n--stress--\r\n');
  await bodies(
    server,
    'POST /gradio_api/upload',
    '/gradio_api/upload',
    { 'Content-Type': 'multipart/form-data; boundary=stress' },
    [head, body, tail],
    modelRss,
  );
  const leftovers = (await readdir(join(tmp, '.e2v', 'uploads'))).filter((name) => name.startsWith('.'));
  row('after the bodies', 'temporary upload files left', String(leftovers.length), '0', leftovers.length === 0);

  await flood(server, 'heartbeat');
  await flood(server, 'silent');
  console.log(markdownTable(['scenario', 'figure', 'value', 'goal'], rows));
  if (missed) {
    console.error('\nsome goals were missed (MISSED above)');
    process.exitCode = 1;
  }
} finally {
  server?.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await rm(tmp, { recursive: true, force: true });
}
