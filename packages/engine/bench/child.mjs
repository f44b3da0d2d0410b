// One measurement of the engine benchmark, in a fresh process (started by bench/run.ts).
// Plain JavaScript on the built package (dist/), so process start-up and peak memory are what
// a user of @e2v/engine sees, without a TypeScript loader.
//
//   node bench/child.mjs '<json>'   with json = { mode: 'cold' | 'rtf' | 'long', ... }
//
// Prints one JSON line on stdout.
import { readFileSync } from 'node:fs';
import { readNpy } from '@e2v/npy';
import { Engine } from '../dist/index.js';

const GOLDEN = new URL('../../../test/fixtures/emotion2vec/', import.meta.url);
const args = JSON.parse(process.argv[2] ?? '{}');

/** `seconds` of speech: the 12 s golden utterance (16 kHz) repeated. */
function speech(seconds) {
  const { data } = readNpy(new Uint8Array(readFileSync(new URL('waveforms/long_12s_16k.16k.npy', GOLDEN))));
  const out = new Float32Array(Math.round(seconds * 16000));
  for (let i = 0; i < out.length; i++) out[i] = data[i % data.length];
  return out;
}

function mb(bytes) {
  return Math.round(bytes / (1024 * 1024));
}

/** CPU seconds this process used (all threads). */
function cpuS() {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const options = { variant: args.variant, threads: args.threads, prepackWeights: args.prepack !== false };

if (args.mode === 'cold') {
  // process start -> first result, from a file on disk (read, decode, infer)
  const imported = performance.now();
  const engine = await Engine.load(args.model, options);
  const loaded = performance.now();
  const { result } = await engine.analyze(new URL('inputs/speech_16k_mono.wav', GOLDEN).pathname);
  const done = performance.now();
  process.stdout.write(
    `${JSON.stringify({ importedMs: imported, loadedMs: loaded, firstResultMs: done, loadMs: loaded - imported, analyzeMs: done - loaded, sessionMs: engine.info.loadMs.session, emotion: result.emotion, maxRssMB: mb(process.resourceUsage().maxRSS * 1024), cpuS: cpuS() })}\n`,
  );
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
  process.stdout.write(`${JSON.stringify({ loadMs: engine.info.loadMs.total, rssAfterLoadMB, maxRssMB: mb(process.resourceUsage().maxRSS * 1024), rows, cpuS: cpuS() })}\n`);
  await engine.close();
} else if (args.mode === 'long') {
  const engine = await Engine.load(args.model, options);
  const rssAfterLoadMB = mb(process.memoryUsage().rss);
  const input = speech(args.seconds);
  const t0 = performance.now();
  const { result } = await engine.analyze(input, { granularity: 'frame' });
  process.stdout.write(
    `${JSON.stringify({ seconds: args.seconds, wallMs: performance.now() - t0, inferenceMs: result.timings_ms.inference, segments: result.segments?.length ?? 1, frames: result.frames.scores.length, rssAfterLoadMB, maxRssMB: mb(process.resourceUsage().maxRSS * 1024), cpuS: cpuS() })}\n`,
  );
  await engine.close();
} else {
  throw new Error(`unknown mode ${args.mode}`);
}
