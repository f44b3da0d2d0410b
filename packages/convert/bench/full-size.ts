/**
 * Full-size measurement (not a test; heavy: ~2 GB checkpoint, minutes of CPU).
 *
 * 1. `synthCheckpoint` a random emotion2vec_plus_large-shaped model from
 *    test/fixtures/emotion2vec/full-size-config.yaml into a scratch folder;
 * 2. convert it without and with `int8`, each in a child process, reporting
 *    wall time and peak RSS (`process.resourceUsage().maxRSS`) and file sizes;
 * 3. time ONNX Runtime inference, fp32 vs int8, on 20 s of speech with 1 and 2
 *    intra-op threads (2 warm-up runs, then the median of `--runs`);
 * 4. run the 7 golden inputs through both variants: argmax agreement and
 *    largest score difference of int8 against fp32.
 *
 *   npx tsx bench/full-size.ts [--dir /tmp/e2v-full-size] [--runs 5] [--keep]
 *
 * The scratch folder is deleted at the end unless `--keep` is given; never
 * put it inside the repository.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { convertCheckpoint } from '../src/convert.js';
import { synthCheckpoint } from '../src/synth/synth.js';
import { GOLDEN_DIR, GOLDEN_INPUTS, goldenWaveform } from '../src/test-support/golden.js';
import { argmax, layerNormWaveform, maxAbsDiff, softmax } from '../src/test-support/numeric.js';

const SCRIPT = fileURLToPath(import.meta.url);

interface ChildResult {
  elapsedMs: number;
  maxRssMB: number;
  files: { name: string; bytes: number }[];
}

/** Child mode: one conversion, then print its time and peak RSS as JSON. */
async function child(from: string, out: string, int8: boolean): Promise<void> {
  const t0 = performance.now();
  const report = await convertCheckpoint({ from, out, int8, overwrite: true, name: 'emotion2vec_plus_large-random' });
  const result: ChildResult = {
    elapsedMs: performance.now() - t0,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    files: report.files,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolveChild, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`child exited with ${code}`));
      else resolveChild(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildResult);
    });
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** 20 s of speech: the 12 s golden utterance followed by its first 8 s, layer-normed. */
function speech20s(): Float32Array {
  const long = goldenWaveform('long_12s_16k');
  const x = new Float32Array(20 * 16000);
  for (let i = 0; i < x.length; i++) x[i] = long[i % long.length]!;
  return layerNormWaveform(x);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: '/tmp/e2v-full-size' },
      runs: { type: 'string', default: '5' },
      keep: { type: 'boolean', default: false },
      child: { type: 'boolean', default: false },
      from: { type: 'string' },
      out: { type: 'string' },
      int8: { type: 'boolean', default: false },
    },
  });
  if (values.child) {
    await child(values.from!, values.out!, values.int8);
    return;
  }
  const dir = resolve(values.dir);
  const runs = Number(values.runs);
  const src = join(dir, 'checkpoint');
  const log = (o: unknown): void => console.log(JSON.stringify(o));
  await mkdir(dir, { recursive: true });
  try {
    let t0 = performance.now();
    const synth = await synthCheckpoint({ config: join(GOLDEN_DIR, 'full-size-config.yaml'), out: src, seed: 1 });
    log({ step: 'synth', seconds: (performance.now() - t0) / 1000, modelBytes: synth.modelBytes, tensors: synth.tensors, parameters: synth.parameters });

    const fp32Only = await runChild(['--child', '--from', src, '--out', join(dir, 'model-fp32')]);
    log({ step: 'convert fp32', seconds: fp32Only.elapsedMs / 1000, peakRssMB: Math.round(fp32Only.maxRssMB), files: fp32Only.files });
    await rm(join(dir, 'model-fp32'), { recursive: true, force: true });
    const both = await runChild(['--child', '--from', src, '--out', join(dir, 'model'), '--int8']);
    log({ step: 'convert fp32+int8', seconds: both.elapsedMs / 1000, peakRssMB: Math.round(both.maxRssMB), files: both.files });

    const model = join(dir, 'model');
    const wav = speech20s();
    for (const threads of [1, 2]) {
      const sessions: Record<string, ort.InferenceSession> = {};
      const loadMs: Record<string, number> = {};
      for (const v of ['fp32', 'int8'] as const) {
        t0 = performance.now();
        sessions[v] = await ort.InferenceSession.create(join(model, v === 'fp32' ? 'model.onnx' : 'model.int8.onnx'), {
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
        });
        loadMs[v] = performance.now() - t0;
      }
      const times: Record<string, number[]> = { fp32: [], int8: [] };
      const feeds = { waveform: new ort.Tensor('float32', wav, [1, wav.length]) };
      for (let r = 0; r < runs + 2; r++) {
        for (const v of ['fp32', 'int8'] as const) {
          t0 = performance.now();
          await sessions[v]!.run(feeds);
          if (r >= 2) times[v]!.push(performance.now() - t0);
        }
      }
      for (const v of ['fp32', 'int8'] as const) {
        const ms = median(times[v]!);
        log({ step: 'inference 20 s', variant: v, threads, loadMs: Math.round(loadMs[v]!), medianMs: Math.round(ms), minMs: Math.round(Math.min(...times[v]!)), realtimeFactor: +(ms / 20000).toFixed(3) });
      }
      if (threads === 1) {
        let agree = 0;
        let scoreDiff = 0;
        let embeddingDiff = 0;
        for (const input of GOLDEN_INPUTS) {
          const x = layerNormWaveform(goldenWaveform(input));
          const f = { waveform: new ort.Tensor('float32', x, [1, x.length]) };
          const a = await sessions.fp32!.run(f);
          const b = await sessions.int8!.run(f);
          const sa = softmax(a.logits!.data as Float32Array);
          const sb = softmax(b.logits!.data as Float32Array);
          if (argmax(sa) === argmax(sb)) agree += 1;
          scoreDiff = Math.max(scoreDiff, maxAbsDiff(sa, sb));
          embeddingDiff = Math.max(embeddingDiff, maxAbsDiff(a.embedding!.data as Float32Array, b.embedding!.data as Float32Array));
        }
        log({ step: 'int8 vs fp32 on golden inputs', argmaxAgreement: `${agree}/${GOLDEN_INPUTS.length}`, maxScoreDiff: scoreDiff, maxEmbeddingDiff: embeddingDiff });
      }
      for (const s of Object.values(sessions)) await s.release();
    }
    log({ step: 'sizes', modelPt: (await stat(join(src, 'model.pt'))).size, files: both.files });
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}

await main();
