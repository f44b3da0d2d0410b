#!/usr/bin/env node
/**
 * Batch throughput of `e2v analyze` (`pnpm bench`; not a test). Analyzes a folder of generated
 * speech-like files with the built CLI at --concurrency 1 and 2 (wall time, process start and
 * model load included) and compares them with a baseline run in this process: the same files
 * through `Engine.analyze` one after another with the model already loaded.
 *
 *   tsx bench/batch.mjs                      # the tiny golden model (converted into a temp folder)
 *   tsx bench/batch.mjs --model DIR [--files N] [--seconds S]   # e.g. the full-size random model
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuHeader, markdownTable } from '@e2v/benchkit';
import { convertCheckpoint } from '@e2v/convert';
import { Engine, encodeWavPcm16 } from '@e2v/engine';
import { cpuFeatures } from '@e2v/native';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const TINY = fileURLToPath(new URL('../../../test/fixtures/emotion2vec/checkpoints/tiny-a/', import.meta.url));

const { values } = parseArgs({ options: { model: { type: 'string' }, files: { type: 'string' }, seconds: { type: 'string' } } });
const work = await mkdtemp(join(tmpdir(), 'e2v-batch-bench-'));
let model = values.model;
if (model === undefined) {
  model = join(work, 'tiny-a');
  await convertCheckpoint({ from: TINY, out: model, int8: false, name: 'tiny-a' });
}
const fileCount = Number(values.files ?? (values.model === undefined ? 60 : 12));
const seconds = Number(values.seconds ?? (values.model === undefined ? 4 : 10));

// Speech-like input: a vowel-ish harmonic tone with a syllable envelope, different per file.
const input = join(work, 'in');
await mkdir(input);
for (let f = 0; f < fileCount; f++) {
  const samples = new Float32Array(16000 * seconds);
  const pitch = 110 + 7 * f;
  for (let n = 0; n < samples.length; n++) {
    const t = n / 16000;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3.5 * t);
    samples[n] = 0.2 * envelope * (Math.sin(2 * Math.PI * pitch * t) + 0.5 * Math.sin(4 * Math.PI * pitch * t) + 0.25 * Math.sin(6 * Math.PI * pitch * t));
  }
  await writeFile(join(input, `clip-${String(f).padStart(3, '0')}.wav`), encodeWavPcm16(samples, 16000));
}
const audioSeconds = fileCount * seconds;

// Baseline: the engine in this process, model loaded, files one after another.
const engine = await Engine.load(model);
const { readFile, readdir } = await import('node:fs/promises');
const files = (await readdir(input)).sort().map((name) => join(input, name));
await engine.analyze(await readFile(/** @type {string} */ (files[0]))); // warm-up
let t0 = performance.now();
for (const file of files) await engine.analyze(await readFile(file));
const baselineS = (performance.now() - t0) / 1000;
await engine.close();

const rows = [{ mode: 'Engine.analyze loop (baseline, model loaded)', seconds: baselineS }];
for (const concurrency of [1, 2]) {
  const out = join(work, `out-${concurrency}`);
  t0 = performance.now();
  const run = spawnSync(process.execPath, [CLI, 'analyze', input, '--model', model, '--out', out, '--concurrency', String(concurrency)], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`e2v analyze failed: ${run.stderr}`);
  rows.push({ mode: `e2v analyze --concurrency ${concurrency} (wall, incl. start + load)`, seconds: wall });
}

console.log(`\n# e2v analyze batch throughput: ${fileCount} files x ${seconds} s, model ${model}\n`);
console.log(`${(await cpuHeader(cpuFeatures(), 2)).text}\n`);
console.log(
  markdownTable(
    ['mode', 'time s', 'files/s', 'audio-s/s', 'vs baseline'],
    rows.map((row) => [
      row.mode,
      row.seconds.toFixed(2),
      (fileCount / row.seconds).toFixed(2),
      (audioSeconds / row.seconds).toFixed(1),
      `${(baselineS / row.seconds).toFixed(2)}x`,
    ]),
  ),
);
await rm(work, { recursive: true, force: true });
