/**
 * Engine benchmark with the full-size random emotion2vec+ model (not a test; minutes of CPU).
 *
 * 1. Model: synthesizes a full-size random checkpoint (`synthCheckpoint`,
 *    test/fixtures/emotion2vec/full-size-config.yaml) and converts it (fp32 + int8) into a cache
 *    folder outside the repository (default `<tmpdir>/e2v-bench-full`, reused when present;
 *    `--checkpoint DIR` reuses an existing synth).
 * 2. Real-time factor (inference s / audio s, ORT time as reported in `timings_ms.inference`)
 *    for 2, 10, 20 and 60 s of speech, fp32 and int8, 1 and 2 threads: one child process per
 *    variant x threads, one warm-up run per length, then the median of `--runs`. Inputs above the
 *    engine's default `maxSegmentS` (30 s) are analyzed in segments, as in real use.
 * 3. Cold start: a fresh `node` process per measurement, from process start to the first Result
 *    of a 3.9 s WAV file (import, load, read, decode, infer); median of `--cold-runs`.
 * 4. Peak RSS (`process.resourceUsage().maxRSS`) of the 2-thread RTF children (all lengths in
 *    one process), of one analysis per fresh process for 5-30 s, and of a 10-minute input
 *    (`--long-s`) analyzed in frame mode, to show memory stays bounded.
 *
 * Children run the built package (dist/) with plain node: `pnpm build` first (turbo's `bench`
 * task does).
 *
 *   tsx bench/run.ts [--cache DIR] [--checkpoint DIR] [--runs 3] [--cold-runs 3] [--long-s 600] [--no-prepack]
 * @module
 */
import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convertCheckpoint, synthCheckpoint } from '@e2v/convert';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const FULL_CONFIG = fileURLToPath(new URL('../../../test/fixtures/emotion2vec/full-size-config.yaml', import.meta.url));
const LENGTHS = [2, 10, 20, 60];
/** Lengths of the single-analysis peak-RSS measurement. */
const SINGLE_LENGTHS = [5, 10, 20, 30];
const VARIANTS = ['fp32', 'int8'] as const;
type Variant = (typeof VARIANTS)[number];

/** Reference points and targets from issue 4 (measured on this machine type, 2 threads). */
const REFERENCE = {
  pytorchRtf: { 20: '0.35-0.41' } as Record<number, string>,
  naiveOrtRtf: { 10: '0.19-0.23', 20: '0.19-0.23', 60: '0.35' } as Record<number, string>,
  plainAddRtf: { 2: '0.16', 20: '0.19', 60: '0.25' } as Record<number, string>,
  floorRtf: 0.16,
  targetFp32Rtf20: 0.2,
  targetInt8Speedup: 1.6,
  targetColdStartS: 1.5,
  targetPeakGb: { fp32: 1.0, int8: 0.45 } as Record<Variant, number>,
  pytorch: { loadS: '7.7-9.7', peakGb: '4.7 (1.55 after load)' },
  naiveOrt: { loadS: '1.8-2.2 (session)', peakGb: '9.4 at 60 s (~1.06 after load)' },
};

interface RtfRow {
  seconds: number;
  firstMs: number;
  medianMs: number;
  minMs: number;
  runs: number;
}
interface RtfChild {
  cpuS: number;
  loadMs: number;
  rssAfterLoadMB: number;
  maxRssMB: number;
  rows: RtfRow[];
}
interface ColdChild {
  cpuS: number;
  importedMs: number;
  loadedMs: number;
  firstResultMs: number;
  sessionMs: number;
  maxRssMB: number;
}
interface LongChild {
  cpuS: number;
  seconds: number;
  wallMs: number;
  inferenceMs: number;
  segments: number;
  frames: number;
  rssAfterLoadMB: number;
  maxRssMB: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Busy CPU seconds of the whole machine so far (Linux /proc/stat; undefined elsewhere). */
async function machineBusyS(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / 100; // USER_HZ
  } catch {
    return undefined;
  }
}

/** CPU seconds used on the machine by processes other than the benchmark, per child. */
const foreignCpu: { label: string; foreignS: number; wallS: number }[] = [];

async function runChild<T extends { cpuS: number }>(args: Record<string, unknown>): Promise<{ out: T; wallMs: number }> {
  const busy0 = await machineBusyS();
  const own0 = process.cpuUsage();
  const result = await spawnChild<T>(args);
  const busy1 = await machineBusyS();
  if (busy0 !== undefined && busy1 !== undefined) {
    const own = process.cpuUsage(own0);
    const foreignS = Math.max(0, busy1 - busy0 - result.out.cpuS - (own.user + own.system) / 1e6);
    foreignCpu.push({ label: `${String(args.mode)} ${String(args.variant)} ${String(args.threads ?? '')}t ${JSON.stringify(args.lengths ?? args.seconds ?? '')}`, foreignS, wallS: result.wallMs / 1000 });
  }
  return result;
}

function spawnChild<T>(args: Record<string, unknown>): Promise<{ out: T; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) reject(new Error(`child ${JSON.stringify(args)} exited with ${code}`));
      else resolve({ out: JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T, wallMs });
    });
  });
}

/** Synthesizes and converts the full-size model unless the cache already has it. */
async function prepareModel(cache: string, checkpoint: string | undefined): Promise<string> {
  const model = join(cache, 'model');
  if (await exists(join(model, 'model.json'))) {
    const manifest = JSON.parse(await readFile(join(model, 'model.json'), 'utf8')) as { variants?: Record<string, unknown>; random?: boolean };
    if (manifest.variants?.int8 !== undefined) {
      console.log(`model: reusing ${model}`);
      return model;
    }
  }
  let source = checkpoint ?? join(cache, 'checkpoint');
  if (!(await exists(join(source, 'model.pt')))) {
    source = join(cache, 'checkpoint');
    console.log(`model: synthesizing a full-size random checkpoint in ${source} ...`);
    const t0 = performance.now();
    await synthCheckpoint({ config: FULL_CONFIG, out: source, seed: 1 });
    console.log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`model: converting ${source} (fp32 + int8) into ${model} ...`);
  const t0 = performance.now();
  await convertCheckpoint({ from: source, out: model, int8: true, overwrite: true, name: 'emotion2vec_plus_large-random' });
  console.log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return model;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

function verdict(ok: boolean): string {
  return ok ? 'meets' : 'MISSES';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cache: { type: 'string', default: join(tmpdir(), 'e2v-bench-full') },
      checkpoint: { type: 'string' },
      runs: { type: 'string', default: '3' },
      'cold-runs': { type: 'string', default: '3' },
      'long-s': { type: 'string', default: '600' },
      'no-prepack': { type: 'boolean', default: false },
    },
  });
  if (!(await exists(DIST))) throw new Error(`${DIST} is missing: build the package first (pnpm --filter @e2v/engine build)`);
  const runs = Number(values.runs);
  const coldRuns = Number(values['cold-runs']);
  const longS = Number(values['long-s']);
  const prepack = !values['no-prepack'];
  const model = await prepareModel(values.cache, values.checkpoint);
  const load0 = loadavg();
  console.log(`cpu: ${cpus()[0]?.model ?? '?'} x ${cpus().length}; load average before: ${load0.map((l) => l.toFixed(2)).join(' ')}; weight pre-packing ${prepack ? 'on (engine default)' : 'off (--no-prepack)'}`);

  // --- RTF ---
  const rtf = new Map<string, RtfChild>();
  for (const variant of VARIANTS) {
    for (const threads of [1, 2]) {
      process.stdout.write(`rtf: ${variant}, ${threads} thread(s) ...`);
      const { out } = await runChild<RtfChild>({ mode: 'rtf', model, variant, threads, lengths: LENGTHS, runs, warmup: 1, prepack });
      rtf.set(`${variant}/${threads}`, out);
      console.log(` ${out.rows.map((r) => `${r.seconds}s ${(r.medianMs / 1000 / r.seconds).toFixed(3)}`).join(', ')}`);
    }
  }
  // --- cold start ---
  const cold = new Map<Variant, { child: ColdChild; wallMs: number }[]>();
  for (const variant of VARIANTS) {
    const list: { child: ColdChild; wallMs: number }[] = [];
    for (let i = 0; i < coldRuns; i++) {
      const { out, wallMs } = await runChild<ColdChild>({ mode: 'cold', model, variant, threads: 2, prepack });
      list.push({ child: out, wallMs });
    }
    cold.set(variant, list);
    console.log(`cold start ${variant}: ${list.map((c) => (c.child.firstResultMs / 1000).toFixed(2)).join(', ')} s`);
  }
  // --- peak RSS of a single analysis by length (fresh process each) ---
  const single = new Map<string, number>();
  for (const variant of VARIANTS) {
    for (const seconds of SINGLE_LENGTHS) {
      const { out } = await runChild<RtfChild>({ mode: 'rtf', model, variant, threads: 2, lengths: [seconds], runs: 1, warmup: 0, prepack });
      single.set(`${variant}/${seconds}`, out.maxRssMB);
    }
    console.log(`peak RSS of one analysis, ${variant}: ${SINGLE_LENGTHS.map((s) => `${s} s ${single.get(`${variant}/${s}`)} MB`).join(', ')}`);
  }
  // --- long input ---
  let long: LongChild | undefined;
  if (longS > 0) {
    process.stdout.write(`long input: ${longS} s, fp32, 2 threads, frame granularity ...`);
    long = (await runChild<LongChild>({ mode: 'long', model, variant: 'fp32', threads: 2, seconds: longS, prepack })).out;
    console.log(` ${(long.wallMs / 1000).toFixed(1)} s`);
  }
  const load1 = loadavg();

  // --- tables ---
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
  const rtfOf = (variant: Variant, threads: number, seconds: number): number => {
    const row = rtf.get(`${variant}/${threads}`)!.rows.find((r) => r.seconds === seconds)!;
    return row.medianMs / 1000 / seconds;
  };
  const firstOf = (variant: Variant, threads: number, seconds: number): number => {
    const row = rtf.get(`${variant}/${threads}`)!.rows.find((r) => r.seconds === seconds)!;
    return row.firstMs / 1000 / seconds;
  };
  console.log('\n## Real-time factor (inference s / audio s; median of warm runs; first run in parentheses)\n');
  console.log(
    table(
      ['input', 'fp32 1t', 'fp32 2t', 'int8 1t', 'int8 2t', 'int8 speed-up 2t (target >= 1.6x)', 'PyTorch ref 2t', 'naive ORT ref 2t', 'plain-Add ref 2t', 'fp32 2t / floor 0.16'],
      LENGTHS.map((s) => [
        `${s} s${s > 30 ? ' (2 segments)' : ''}`,
        ...(['fp32', 'int8'] as const).flatMap((v) => [1, 2].map((t) => `${rtfOf(v, t, s).toFixed(3)} (${firstOf(v, t, s).toFixed(3)})`)),
        ratio(rtfOf('fp32', 2, s), rtfOf('int8', 2, s)),
        REFERENCE.pytorchRtf[s] ?? (s === 2 ? '0.44-0.90 at 5 s' : '-'),
        REFERENCE.naiveOrtRtf[s] ?? '-',
        REFERENCE.plainAddRtf[s] ?? '-',
        ratio(rtfOf('fp32', 2, s), REFERENCE.floorRtf),
      ]),
    ),
  );
  const minOf = (variant: Variant, seconds: number): number => rtf.get(`${variant}/2`)!.rows.find((r) => r.seconds === seconds)!.minMs;
  console.log('\nint8 speed-up over fp32, 2 threads, from medians / from best runs: ' + LENGTHS.map((s) => `${s} s ${ratio(rtfOf('fp32', 2, s), rtfOf('int8', 2, s))} / ${ratio(minOf('fp32', s), minOf('int8', s))}`).join(', '));
  console.log('\n## Peak RSS of one analysis in a fresh process (2 threads; GB)\n');
  console.log(
    table(
      ['variant', ...SINGLE_LENGTHS.map((s) => `${s} s`), 'target'],
      VARIANTS.map((v) => [v, ...SINGLE_LENGTHS.map((s) => (single.get(`${v}/${s}`)! / 1024).toFixed(2)), `<= ${REFERENCE.targetPeakGb[v]}`]),
    ),
  );
  console.log('\n## Start-up and memory\n');
  const coldRows = VARIANTS.map((v) => {
    const list = cold.get(v)!;
    return {
      v,
      first: median(list.map((c) => c.child.firstResultMs)) / 1000,
      wall: median(list.map((c) => c.wallMs)) / 1000,
      session: median(list.map((c) => c.child.sessionMs)) / 1000,
      imported: median(list.map((c) => c.child.importedMs)) / 1000,
    };
  });
  const rows: (string | number)[][] = [];
  for (const c of coldRows) {
    rows.push([
      `cold start ${c.v} (process start -> first Result, 3.9 s WAV)`,
      `${c.first.toFixed(2)} s (spawn->exit wall ${c.wall.toFixed(2)} s; imports ${c.imported.toFixed(2)} s, ORT session ${c.session.toFixed(2)} s)`,
      `PyTorch load ${REFERENCE.pytorch.loadS} s; naive ORT session ${REFERENCE.naiveOrt.loadS}`,
      `<= ${REFERENCE.targetColdStartS} s`,
      `${ratio(c.first, REFERENCE.targetColdStartS)} of target: ${verdict(c.first <= REFERENCE.targetColdStartS)}`,
    ]);
  }
  for (const v of VARIANTS) {
    const child = rtf.get(`${v}/2`)!;
    const peak = child.maxRssMB / 1024;
    rows.push([
      `peak RSS ${v} (2 threads, 2-60 s inputs)`,
      `${peak.toFixed(2)} GB (${(child.rssAfterLoadMB / 1024).toFixed(2)} GB after load)`,
      `PyTorch ${REFERENCE.pytorch.peakGb} GB; naive ORT ${REFERENCE.naiveOrt.peakGb} GB`,
      `<= ${REFERENCE.targetPeakGb[v]} GB`,
      `${ratio(peak, REFERENCE.targetPeakGb[v])} of target: ${verdict(peak <= REFERENCE.targetPeakGb[v])}`,
    ]);
  }
  if (long !== undefined) {
    rows.push([
      `${long.seconds} s input, fp32 2t, frame mode (${long.segments} segments, ${long.frames} frames)`,
      `peak RSS ${(long.maxRssMB / 1024).toFixed(2)} GB; RTF ${(long.inferenceMs / 1000 / long.seconds).toFixed(3)}; wall ${(long.wallMs / 1000).toFixed(1)} s`,
      'naive ORT: 9.4 GB at 60 s',
      'bounded memory',
      `${ratio(long.maxRssMB / 1024, REFERENCE.targetPeakGb.fp32)} of the fp32 peak target`,
    ]);
  }
  console.log(table(['measure', 'e2v engine', 'reference points', 'target', 'ratio'], rows));
  const r20 = rtfOf('fp32', 2, 20);
  const speedup = rtfOf('fp32', 2, 20) / rtfOf('int8', 2, 20);
  console.log('\n## Targets\n');
  console.log(
    table(
      ['target', 'measured', 'ratio', ''],
      [
        ['fp32 RTF <= 0.20 on 20 s (2 threads)', r20.toFixed(3), ratio(r20, REFERENCE.targetFp32Rtf20), verdict(r20 <= REFERENCE.targetFp32Rtf20)],
        ['int8 >= 1.6x faster than fp32 (20 s, 2 threads)', `${speedup.toFixed(2)}x`, ratio(speedup, REFERENCE.targetInt8Speedup), verdict(speedup >= REFERENCE.targetInt8Speedup)],
        ...coldRows.map((c) => [`cold start ${c.v} <= 1.5 s`, `${c.first.toFixed(2)} s`, ratio(c.first, 1.5), verdict(c.first <= 1.5)]),
        ...VARIANTS.map((v) => {
          const peak = rtf.get(`${v}/2`)!.maxRssMB / 1024;
          return [`peak RSS ${v} <= ${REFERENCE.targetPeakGb[v]} GB`, `${peak.toFixed(2)} GB`, ratio(peak, REFERENCE.targetPeakGb[v]), verdict(peak <= REFERENCE.targetPeakGb[v])];
        }),
      ],
    ),
  );
  const noisy = foreignCpu.filter((f) => f.foreignS > Math.max(0.3, 0.05 * f.wallS)); // /proc/stat counts in 10 ms ticks
  console.log(
    noisy.length === 0
      ? '\nOther processes used under 5% of a core (or 0.3 CPU s) during every measurement: the machine was quiet.'
      : `\nOther processes used CPU during ${noisy.length} of ${foreignCpu.length} measurements (noisy): ${noisy.map((f) => `${f.label}: ${f.foreignS.toFixed(1)} CPU s in ${f.wallS.toFixed(1)} s`).join('; ')}`,
  );
  console.log(`load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${load1.map((l) => l.toFixed(2)).join(' ')} (2 cores: above ~1 before the run means another heavy job shared the machine; numbers are then noisy)`);
}

await main();
