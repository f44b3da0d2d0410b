/**
 * `pnpm bench` for @e2v/convert (not a test; heavy: a ~2 GB checkpoint, minutes of CPU): what
 * converting the full-size model costs, against the floor of reading its bytes.
 *
 * 1. `synthCheckpoint` writes a random emotion2vec_plus_large-shaped model from
 *    test/fixtures/emotion2vec/full-size-config.yaml into a scratch folder;
 * 2. baseline, in this process: streaming the checkpoint file once (the I/O any converter pays);
 * 3. `convertCheckpoint` without and with `int8`, each in a child process: wall time, peak RSS
 *    (`process.resourceUsage().maxRSS`), files written; ratios to the baseline;
 * 4. the same weights saved as a fairseq training checkpoint (`synthCheckpoint({ training: true })`:
 *    Adam moments for every weight, args, omegaconf, numpy meters; ~3x the bytes), converted
 *    fp32: the bytes the reader reads against the file size, and peak RSS.
 * Inference speed and int8 fidelity of the converted graphs are the engine benchmark's.
 *
 *   npx tsx bench/full-size.ts [--dir /tmp/e2v-full-size] [--keep]
 *
 * The scratch folder is deleted at the end unless `--keep` is given; never put it inside the
 * repository.
 * @module
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuHeader, markdownTable } from '@e2v/benchkit';
import { cpuFeatures } from '@e2v/native';
import { GOLDEN_DIR } from '@e2v/testkit';
import { convertCheckpoint } from '../src/convert.js';
import { synthCheckpoint } from '../src/synth/synth.js';

const SCRIPT = fileURLToPath(import.meta.url);

interface ChildResult {
  elapsedMs: number;
  maxRssMB: number;
  files: { name: string; bytes: number }[];
  checkpoint: { bytes: number; bytesRead: number; ignoredGlobals: string[] };
}

/** Child mode: one conversion, then print its time and peak RSS as JSON. */
async function child(from: string, out: string, int8: boolean): Promise<void> {
  const t0 = performance.now();
  const report = await convertCheckpoint({ from, out, int8, overwrite: true, name: 'emotion2vec_plus_large-random' });
  const result: ChildResult = {
    elapsedMs: performance.now() - t0,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    files: report.files,
    checkpoint: report.checkpoint,
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

/** Streams a file once and returns the milliseconds it took. */
async function readAll(path: string): Promise<number> {
  const t0 = performance.now();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) void chunk;
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: '/tmp/e2v-full-size' },
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
  console.log('# @e2v/convert benchmark: converting the full-size model\n');
  console.log(`${(await cpuHeader(cpuFeatures(), 1)).text}\n`);
  const dir = resolve(values.dir);
  const src = join(dir, 'checkpoint');
  await mkdir(dir, { recursive: true });
  try {
    const t0 = performance.now();
    const synth = await synthCheckpoint({ config: join(GOLDEN_DIR, 'full-size-config.yaml'), out: src, seed: 1 });
    const synthMs = performance.now() - t0;
    const checkpointBytes = (await stat(join(src, 'model.pt'))).size;
    await readAll(join(src, 'model.pt')); // warm the page cache, as for the conversions
    const readMs = await readAll(join(src, 'model.pt'));
    const fp32 = await runChild(['--child', '--from', src, '--out', join(dir, 'model-fp32')]);
    await rm(join(dir, 'model-fp32'), { recursive: true, force: true });
    const both = await runChild(['--child', '--from', src, '--out', join(dir, 'model'), '--int8']);
    const trainingSrc = join(dir, 'training');
    await synthCheckpoint({ config: join(GOLDEN_DIR, 'full-size-config.yaml'), out: trainingSrc, seed: 1, training: true });
    const trainingReadMs = await readAll(join(trainingSrc, 'model.pt'));
    const training = await runChild(['--child', '--from', trainingSrc, '--out', join(dir, 'training-model')]);
    const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
    console.log(
      markdownTable(
        ['step', 'wall time', 'vs reading the checkpoint once (baseline)', 'peak RSS', 'writes'],
        [
          ['baseline: stream model.pt once (this process)', `${(readMs / 1000).toFixed(2)} s`, '1.00x', '-', `reads ${mb(checkpointBytes)}`],
          [
            'synthCheckpoint (seed 1)',
            `${(synthMs / 1000).toFixed(2)} s`,
            `${(synthMs / readMs).toFixed(2)}x`,
            '-',
            `${synth.parameters.toLocaleString('en-US')} parameters, ${mb(synth.modelBytes)}`,
          ],
          [
            'convert fp32',
            `${(fp32.elapsedMs / 1000).toFixed(2)} s`,
            `${(fp32.elapsedMs / readMs).toFixed(2)}x`,
            `${Math.round(fp32.maxRssMB)} MB`,
            fp32.files.map((f) => `${f.name} ${mb(f.bytes)}`).join(', '),
          ],
          [
            'convert fp32 + int8',
            `${(both.elapsedMs / 1000).toFixed(2)} s`,
            `${(both.elapsedMs / readMs).toFixed(2)}x`,
            `${Math.round(both.maxRssMB)} MB`,
            both.files.map((f) => `${f.name} ${mb(f.bytes)}`).join(', '),
          ],
          [
            `convert fp32 of a training checkpoint (${mb(training.checkpoint.bytes)}; its own read baseline ${(trainingReadMs / 1000).toFixed(2)} s)`,
            `${(training.elapsedMs / 1000).toFixed(2)} s`,
            `${(training.elapsedMs / trainingReadMs).toFixed(2)}x`,
            `${Math.round(training.maxRssMB)} MB`,
            `reads ${mb(training.checkpoint.bytesRead)} of ${mb(training.checkpoint.bytes)} for the weights (plus one sequential sha256 pass)`,
          ],
        ],
      ),
    );
    const n = training.checkpoint.ignoredGlobals.length;
    console.log(
      `\ntraining checkpoint: ignored ${n} unknown global${n === 1 ? '' : 's'} outside the weights: ${training.checkpoint.ignoredGlobals.join(', ')}`,
    );
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}

await main();
