// One measurement of the engine benchmark, in a fresh process (started by bench/run.ts, possibly
// as an AVX2-only CPU). Plain JavaScript on the built package (dist/), so process start-up and
// peak memory are what a user of @e2v/engine sees, without a TypeScript loader.
//
//   node bench/child.mjs '<json>'   with json = { mode: 'cold' | 'rtf' | 'long' | 'fidelity' | 'profile', ... }
//
// Prints one JSON line on stdout.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '@e2v/npy';
import * as ort from 'onnxruntime-node';
import { Engine } from '../dist/index.js';

const GOLDEN = new URL('../../../test/fixtures/emotion2vec/', import.meta.url);
const EXAMPLE = new URL('../../server/assets/examples/example.wav', import.meta.url);
const GOLDEN_INPUTS = ['speech_16k_mono', 'speech_44k1_stereo', 'speech_8k_mono', 'long_12s_16k', 'short_0s3_16k', 'near_silence_16k', 'white_noise_16k'];
const args = JSON.parse(process.argv[2] ?? '{}');

/**
 * `seconds` of speech: the 12 s golden utterance (16 kHz) repeated.
 * @param {number} seconds
 */
function speech(seconds) {
  const { data } = readNpy(new Uint8Array(readFileSync(new URL('waveforms/long_12s_16k.16k.npy', GOLDEN))));
  const out = new Float32Array(Math.round(seconds * 16000));
  for (let i = 0; i < out.length; i++) out[i] = /** @type {number} */ (data[i % data.length]);
  return out;
}

const mb = (/** @type {number} */ bytes) => Math.round(bytes / (1024 * 1024));
/** CPU seconds this process used (all threads). */
function cpuS() {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
}
/** @param {number[]} values */
function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const peakRssMB = () => mb(process.resourceUsage().maxRSS * 1024);
const print = (/** @type {object} */ value) => process.stdout.write(`${JSON.stringify({ ...value, cpuS: cpuS() })}\n`);
const options = { ...(args.variant === undefined ? {} : { variant: args.variant }), threads: args.threads, prepackWeights: args.prepack !== false };

if (args.mode === 'cold') {
  // process start -> first result, from a file on disk (import, load, read, decode, infer)
  const imported = performance.now();
  const engine = await Engine.load(args.model, options);
  const loaded = performance.now();
  const { result } = await engine.analyze(new URL('inputs/speech_16k_mono.wav', GOLDEN).pathname);
  const done = performance.now();
  print({
    importedMs: imported,
    loadedMs: loaded,
    firstResultMs: done,
    sessionMs: engine.info.loadMs.session,
    variant: engine.info.variant,
    reason: engine.info.variantReason,
    emotion: result.emotion,
    maxRssMB: peakRssMB(),
  });
  await engine.close();
} else if (args.mode === 'rtf') {
  const engine = await Engine.load(args.model, options);
  const rssAfterLoadMB = mb(process.memoryUsage().rss);
  const rows = [];
  for (const seconds of args.lengths) {
    const input = speech(seconds);
    const times = [];
    let first = 0;
    for (let r = 0; r < args.warmup + args.runs; r++) {
      const { result } = await engine.analyze(input);
      if (r === 0) first = result.timings_ms.inference;
      if (r >= args.warmup) times.push(result.timings_ms.inference);
    }
    rows.push({ seconds, firstMs: first, medianMs: median(times), minMs: Math.min(...times), runs: times.length });
  }
  print({ loadMs: engine.info.loadMs.total, rssAfterLoadMB, maxRssMB: peakRssMB(), rows });
  await engine.close();
} else if (args.mode === 'long') {
  const engine = await Engine.load(args.model, options);
  const rssAfterLoadMB = mb(process.memoryUsage().rss);
  const t0 = performance.now();
  const { result } = await engine.analyze(speech(args.seconds), { granularity: 'frame' });
  print({
    seconds: args.seconds,
    wallMs: performance.now() - t0,
    inferenceMs: result.timings_ms.inference,
    segments: result.segments?.length ?? 1,
    frames: result.frames?.scores.length,
    rssAfterLoadMB,
    maxRssMB: peakRssMB(),
  });
  await engine.close();
} else if (args.mode === 'fidelity') {
  // scores of every golden input and the example, per variant
  const files = [...GOLDEN_INPUTS.map((name) => ({ name, path: new URL(`inputs/${name}.wav`, GOLDEN).pathname })), { name: 'example', path: EXAMPLE.pathname }];
  /** @type {Record<string, Record<string, number>[]>} */
  const scores = {};
  for (const variant of /** @type {const} */ (['fp32', 'int8'])) {
    const engine = await Engine.load(args.model, { ...options, variant });
    scores[variant] = [];
    for (const file of files) scores[variant].push((await engine.analyze(file.path)).result.scores);
    await engine.close();
  }
  print({ inputs: files.map((f) => f.name), scores });
} else if (args.mode === 'profile') {
  // ORT's own profile of one warm 20 s run: kernel time by operator type. Session options as
  // the engine sets them (engine/src/infer/ort-worker.ts, engine.ts).
  const session = await ort.InferenceSession.create(join(args.model, args.variant === 'int8' ? 'model.int8.onnx' : 'model.onnx'), {
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableMemPattern: false,
    enableProfiling: true,
    profileFilePrefix: join(args.work, `profile-${args.variant}-${process.pid}`),
    extra: { session: { set_denormal_as_zero: '1' } },
  });
  // the engine's whole-utterance layer norm, so the numbers (and denormals) are the engine's
  const x = speech(args.seconds);
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  const scale = 1 / Math.sqrt(variance / x.length + 1e-5);
  const feed = {
    waveform: new ort.Tensor(
      'float32',
      x.map((v) => (v - mean) * scale),
      [1, x.length],
    ),
  };
  for (let r = 0; r < 2; r++) await session.run(feed);
  session.endProfiling();
  const prefix = `profile-${args.variant}-${process.pid}`;
  const file = join(args.work, /** @type {string} */ (readdirSync(args.work).find((name) => name.startsWith(prefix))));
  /** @type {{ name: string, cat: string, ts: number, dur: number, args: { op_name: string } }[]} */
  const events = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  const runs = events.filter((e) => e.name === 'model_run');
  const last = runs[runs.length - 1];
  if (last === undefined) throw new Error(`no model_run event in the ORT profile ${file}`);
  /** @type {Record<string, number>} */
  const byOp = {};
  for (const e of events) {
    // subgraph nodes are reported too: Loop bodies' kernels count under their own types
    if (e.cat !== 'Node' || e.ts < last.ts || !e.name.endsWith('_kernel_time') || e.args.op_name === 'Loop') continue;
    byOp[e.args.op_name] = (byOp[e.args.op_name] ?? 0) + e.dur / 1000;
  }
  await session.release();
  print({ runMs: last.dur / 1000, byOp });
} else {
  throw new Error(`unknown mode ${args.mode}`);
}
