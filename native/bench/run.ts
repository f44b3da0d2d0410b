/**
 * `pnpm bench` for @e2v/native: runs every case on the SIMD path in this
 * thread, then the same cases on the scalar path in a worker thread of the
 * same process (the addon reads E2V_SIMD when a thread loads it), and prints
 * one table with the SIMD/scalar ratio, the published reference and the target.
 * @module
 */
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { cpuHeader, markdownTable } from '@e2v/benchkit';
import { fbankBenchCases } from './fbank.cases.js';
import { resampleBenchCases } from './resample.cases.js';
import { timeCase, type BenchCase, type BenchTiming } from './harness.js';

const cases: BenchCase[] = [...fbankBenchCases, ...resampleBenchCases];

async function timeScalarInWorker(): Promise<BenchTiming[]> {
  const previous = process.env.E2V_SIMD;
  process.env.E2V_SIMD = 'scalar';
  try {
    // Workers do not inherit tsx's loader hooks on Node 20: register them first, then load this file.
    const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(source, { eval: true });
    return await new Promise<BenchTiming[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    if (previous === undefined) delete process.env.E2V_SIMD;
    else process.env.E2V_SIMD = previous;
  }
}

function formatX(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')}x`;
}

async function main(): Promise<void> {
  const { cpuFeatures, simd } = await import('../lib/index.js');
  const path = simd();
  process.stdout.write(`# @e2v/native benchmark: single thread, SIMD path '${path}' vs scalar (worker thread)\n\n`);
  process.stdout.write(`${(await cpuHeader(cpuFeatures(), 1)).text}\n\n`);
  const fast = cases.map((c) => timeCase(c));
  const scalar = await timeScalarInWorker();
  const rows = cases.map((c, i) => {
    const a = fast[i]!;
    const b = scalar[i]!;
    return [
      c.group,
      c.name,
      formatX(a.realtime),
      formatX(b.realtime),
      (a.realtime / b.realtime).toFixed(2),
      c.reference ? `${c.reference.label} ${formatX(c.reference.realtime)}` : '',
      c.reference ? `${(a.realtime / c.reference.realtime).toFixed(1)}x` : '',
      c.target ? formatX(c.target) : '',
      c.target ? (a.realtime >= c.target ? 'yes' : 'NO') : '',
    ];
  });
  console.log(
    markdownTable(['group', 'case', `${path} (x realtime)`, 'scalar (x realtime)', `${path}/scalar`, 'reference', 'vs reference', 'target', 'met'], rows),
  );
}

if (isMainThread) {
  await main();
} else {
  parentPort!.postMessage(cases.map((c) => timeCase(c)));
}
