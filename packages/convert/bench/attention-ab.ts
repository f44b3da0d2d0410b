/**
 * Why the graph uses `com.microsoft.MultiHeadAttention` (not a test; heavy).
 *
 * Builds the full-size fp32 graph twice from one random checkpoint, with
 * `attention: 'ort-mha'` and with `attention: 'onnx'` (MatMul + Add + Softmax),
 * then times each in its own child process (2 warm-up runs, median of
 * `--runs`, 1 intra-op thread) on 20 s and 30 s of speech, alternating
 * A/B/A/B, and reports the child's peak RSS.
 *
 *   npx tsx bench/attention-ab.ts [--dir /tmp/e2v-attention-ab] [--runs 5] [--from CHECKPOINT_DIR]
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { openCheckpoint } from '../src/checkpoint/open.js';
import { parseConfig } from '../src/config/config.js';
import {
  type AttentionImpl,
  EMOTION2VEC_IR_VERSION,
  EMOTION2VEC_OPSET,
  buildEmotion2vecGraph,
} from '../src/onnx/emotion2vec-graph.js';
import { writeModel } from '../src/onnx/write-model.js';
import { synthCheckpoint } from '../src/synth/synth.js';
import { GOLDEN_DIR, goldenWaveform } from '../src/test-support/golden.js';
import { layerNormWaveform } from '../src/test-support/numeric.js';

const SCRIPT = fileURLToPath(import.meta.url);
const IMPLS: readonly AttentionImpl[] = ['ort-mha', 'onnx'];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function speech(seconds: number): Float32Array {
  const long = goldenWaveform('long_12s_16k');
  const x = new Float32Array(seconds * 16000);
  for (let i = 0; i < x.length; i++) x[i] = long[i % long.length]!;
  return layerNormWaveform(x);
}

async function child(model: string, seconds: number, runs: number): Promise<void> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const wav = speech(seconds);
  const feeds = { waveform: new ort.Tensor('float32', wav, [1, wav.length]) };
  const times: number[] = [];
  for (let r = 0; r < runs + 2; r++) {
    const t0 = performance.now();
    await session.run(feeds);
    if (r >= 2) times.push(performance.now() - t0);
  }
  process.stdout.write(`${JSON.stringify({ medianMs: median(times), minMs: Math.min(...times), maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function runChild(args: string[]): Promise<{ medianMs: number; minMs: number; maxRssMB: number }> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [...process.execArgv, SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', fail);
    p.on('close', (code) => (code === 0 ? done(JSON.parse(out.trim().split('\n').at(-1) ?? '{}')) : fail(new Error(`child exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: '/tmp/e2v-attention-ab' },
      runs: { type: 'string', default: '5' },
      from: { type: 'string' },
      child: { type: 'string' },
      seconds: { type: 'string', default: '20' },
    },
  });
  const runs = Number(values.runs);
  if (values.child !== undefined) {
    await child(values.child, Number(values.seconds), runs);
    return;
  }
  const dir = resolve(values.dir);
  await mkdir(dir, { recursive: true });
  try {
    const from = values.from ?? join(dir, 'checkpoint');
    if (values.from === undefined) await synthCheckpoint({ config: join(GOLDEN_DIR, 'full-size-config.yaml'), out: from, seed: 1 });
    const config = parseConfig(await readFile(join(from, 'config.yaml'), 'utf8'));
    const reader = await openCheckpoint(join(from, 'model.pt'));
    try {
      for (const attention of IMPLS) {
        const graph = buildEmotion2vecGraph({ config, numLabels: 9, weights: reader, attention });
        await writeModel(graph, {
          modelPath: join(dir, `${attention}.onnx`),
          dataFileName: `${attention}.onnx.data`,
          irVersion: EMOTION2VEC_IR_VERSION,
          opsetVersion: EMOTION2VEC_OPSET,
          producerName: 'e2v-bench',
          producerVersion: '0',
        });
      }
    } finally {
      await reader.close();
    }
    for (const seconds of [20, 30]) {
      const results: Record<string, { medianMs: number; minMs: number; maxRssMB: number }[]> = { 'ort-mha': [], onnx: [] };
      for (let round = 0; round < 2; round++) {
        for (const attention of IMPLS) {
          results[attention]!.push(await runChild(['--child', join(dir, `${attention}.onnx`), '--seconds', String(seconds), '--runs', String(runs)]));
        }
      }
      for (const attention of IMPLS) {
        const r = results[attention]!;
        console.log(
          JSON.stringify({
            seconds,
            attention,
            medianMs: Math.round(Math.min(...r.map((x) => x.medianMs))),
            minMs: Math.round(Math.min(...r.map((x) => x.minMs))),
            peakRssMB: Math.round(Math.max(...r.map((x) => x.maxRssMB))),
          }),
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
