/**
 * Engine benchmark with the full-size random emotion2vec+ model (not a test; about 15 minutes).
 *
 * 1. Model: synthesizes a full-size random checkpoint (`synthCheckpoint`,
 *    test/fixtures/emotion2vec/full-size-config.yaml) and converts it (fp32 + int8) into a cache
 *    folder outside the repository (default `<tmpdir>/e2v-bench-full`, rebuilt when the converter's
 *    graph changed; `--checkpoint DIR` reuses an existing synth).
 * 2. For this CPU, then again as an AVX2-only CPU (scripts/avx2-only: a CPUID mask, so ONNX
 *    Runtime takes the kernels of Haswell-to-Zen-3 CPUs; skipped where impossible; `--modes host`
 *    or `--modes avx2` runs one):
 *    - a CPU header: name, family/model, extensions, and peak sgemm measured now (ORT MatMul
 *      2048^3 with 1 and 2 threads);
 *    - real-time factor (inference s / audio s, median of warm runs) for 2, 10, 20 and 60 s of
 *      speech, fp32 and int8, 1 and 2 threads, one child process per variant x threads, with
 *      each RTF's efficiency = (model GFLOP per audio s / peak GFLOP/s) / RTF;
 *    - where the time goes (ORT profile of a 20 s run, 2 threads): why int8 gains what it gains;
 *    - int8 fidelity: fp32 vs int8 scores of every golden input and the example;
 *    - cold start: a fresh process from start to the first Result of a 3.9 s WAV, for the
 *      default variant (`auto`), fp32 and int8.
 * 3. Peak RSS of one analysis per fresh process for 5-30 s, and of a 10-minute input (`--long-s`)
 *    in frame mode, on this CPU.
 *
 * Children run the built package (dist/) with plain node: `pnpm build` first (turbo's `bench`
 * task does).
 *
 *   tsx bench/run.ts [--cache DIR] [--checkpoint DIR] [--runs 3] [--cold-runs 3] [--long-s 600] [--modes host,avx2] [--no-prepack]
 * @module
 */
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { avx2OnlyCommand, avx2OnlyMechanism, cpuHeader, FULL_SIZE_CACHE, FULL_SIZE_CONFIG, fullSizeModel, markdownTable, type CpuReport } from '@e2v/benchkit';
import { convertCheckpoint, forwardFlops, parseConfig, synthCheckpoint } from '@e2v/convert';
import { cpuFeatures } from '@e2v/native';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
const HEADER_CHILD = fileURLToPath(new URL('./cpu-header-child.ts', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const CONVERT_ONNX_DIST = fileURLToPath(new URL('../../convert/dist/onnx/', import.meta.url));
const LENGTHS = [2, 10, 20, 60];
const SINGLE_LENGTHS = [5, 10, 20, 30];
const VARIANTS = ['fp32', 'int8'] as const;
type Variant = (typeof VARIANTS)[number];
/** Targets of issue 10, on an AVX2-only CPU. */
const TARGET = { efficiency: 0.85, coldStartS: 1.2, int8Speedup: 1.3, maxScoreDiff: 0.02 };

interface RtfRow {
  seconds: number;
  firstMs: number;
  medianMs: number;
  minMs: number;
}
interface RtfChild {
  rssAfterLoadMB: number;
  maxRssMB: number;
  rows: RtfRow[];
}
interface ColdChild {
  importedMs: number;
  firstResultMs: number;
  sessionMs: number;
  variant: Variant;
  reason: string;
}
interface FidelityChild {
  inputs: string[];
  scores: Record<Variant, Record<string, number>[]>;
}
interface ProfileChild {
  runMs: number;
  byOp: Record<string, number>;
}
interface LongChild {
  seconds: number;
  wallMs: number;
  inferenceMs: number;
  segments: number;
  frames: number;
  maxRssMB: number;
}

/** One CPU mode: this CPU as it is, or emulated as AVX2-only. */
interface Mode {
  name: string;
  avx2Only: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function runChild<T>(args: Record<string, unknown>, mode: Mode): Promise<T> {
  const plain = { command: process.execPath, args: [CHILD, JSON.stringify(args)], env: process.env };
  const { command, args: argv, env } = mode.avx2Only ? avx2OnlyCommand(plain.command, plain.args) : plain;
  return new Promise((resolve, reject) => {
    const p = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`child ${JSON.stringify(args)} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T);
    });
  });
}

/** The CPU header of a mode, measured in a child (an emulated CPU's peak is measured emulated). */
async function modeHeader(mode: Mode, threads: number): Promise<{ report: CpuReport; text: string }> {
  if (!mode.avx2Only) return cpuHeader(cpuFeatures(), threads);
  const tsx = fileURLToPath(import.meta.resolve('tsx/cli'));
  const { command, args, env } = avx2OnlyCommand(process.execPath, [tsx, HEADER_CHILD, String(threads)]);
  return new Promise((resolve, reject) => {
    const p = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env, cwd: fileURLToPath(new URL('..', import.meta.url)) });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`header child exited with ${code}`))));
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const verdict = (ok: boolean): string => (ok ? 'meets' : 'MISSES');
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cache: { type: 'string', default: FULL_SIZE_CACHE },
      checkpoint: { type: 'string' },
      runs: { type: 'string', default: '3' },
      'cold-runs': { type: 'string', default: '3' },
      'long-s': { type: 'string', default: '600' },
      modes: { type: 'string', default: 'host,avx2' },
      'no-prepack': { type: 'boolean', default: false },
    },
  });
  if (!(await exists(DIST))) throw new Error(`${DIST} is missing: build the package first (pnpm --filter @e2v/engine build)`);
  const runs = Number(values.runs);
  const coldRuns = Number(values['cold-runs']);
  const longS = Number(values['long-s']);
  const prepack = !values['no-prepack'];
  const model = await fullSizeModel(
    { synthCheckpoint, convertCheckpoint, graphCodeDir: CONVERT_ONNX_DIST },
    { cache: values.cache, ...(values.checkpoint === undefined ? {} : { checkpoint: values.checkpoint }) },
  );
  const config = parseConfig(await readFile(FULL_SIZE_CONFIG, 'utf8'));
  // inputs over 30 s (the engine's maxSegmentS) run as equal-ish segments: count those
  const gflopPerAudioS = (s: number): number => {
    const segments = Math.ceil(s / 30);
    return (segments * forwardFlops(config, (s / segments) * 16000).total) / s / 1e9;
  };
  const work = await mkdtemp(join(tmpdir(), 'e2v-engine-bench-'));
  const load0 = loadavg();

  const wanted = new Set(values.modes.split(','));
  const host: Mode = { name: 'this CPU', avx2Only: false };
  const modes: Mode[] = wanted.has('host') ? [host] : [];
  const avx2 = avx2OnlyMechanism();
  if (!wanted.has('avx2')) console.log('AVX2-only runs: not asked for (--modes)');
  else if (avx2.mechanism === 'cpuid-mask' || avx2.mechanism === 'qemu') modes.push({ name: `as an AVX2-only CPU (${avx2.mechanism})`, avx2Only: true });
  else console.log(`AVX2-only runs: ${avx2.mechanism === 'native' ? 'this CPU is AVX2-only: the runs below are those' : `impossible here (${avx2.reason})`}`);
  if (avx2.mechanism === 'qemu') console.log('AVX2-only runs under qemu are ~40x slower: compare their ratios, not their times');

  console.log(`\n# @e2v/engine benchmark: full-size random emotion2vec+ large, weight pre-packing ${prepack ? 'on (engine default)' : 'off (--no-prepack)'}\n`);
  console.log(
    `Model cost (forwardFlops; 60 s as two 30 s segments): ${LENGTHS.map((s) => `${s} s: ${gflopPerAudioS(s).toFixed(1)}`).join(', ')} GFLOP per audio second.`,
  );

  const summary: {
    mode: Mode;
    peak2: number;
    eff20: number;
    speedup20: number;
    cold: number;
    coldVariant: string;
    fidelity: { agree: string; decided: string; maxDiff: number };
  }[] = [];
  for (const mode of modes) {
    const header1 = await modeHeader(mode, 1);
    const header2 = await modeHeader(mode, 2);
    console.log(`\n## ${mode.name}\n`);
    console.log(header2.text);
    console.log(`(peak with 1 thread: ${header1.report.peak.gflops.toFixed(1)} GFLOP/s, b as input ${header1.report.peak.unpackedGflops.toFixed(1)})\n`);
    const peak = { 1: header1.report.peak.gflops, 2: header2.report.peak.gflops } as Record<number, number>;

    // --- RTF ---
    const rtf = new Map<string, RtfChild>();
    for (const variant of VARIANTS) {
      for (const threads of [1, 2]) {
        rtf.set(`${variant}/${threads}`, await runChild<RtfChild>({ mode: 'rtf', model, variant, threads, lengths: LENGTHS, runs, warmup: 1, prepack }, mode));
      }
    }
    const rtfOf = (variant: Variant, threads: number, s: number): number =>
      rtf.get(`${variant}/${threads}`)!.rows.find((r) => r.seconds === s)!.medianMs / 1000 / s;
    const efficiency = (variant: Variant, threads: number, s: number): number => gflopPerAudioS(s) / peak[threads]! / rtfOf(variant, threads, s);
    console.log(
      'Real-time factor (inference s / audio s, median of warm runs) and efficiency (model GFLOP per audio s / peak sgemm / RTF; int8 against the fp32 peak):\n',
    );
    console.log(
      markdownTable(
        ['input', 'fp32 1t', 'fp32 2t', 'int8 1t', 'int8 2t', 'int8 speed-up 2t', 'fp32 2t efficiency', 'int8 2t "efficiency"'],
        LENGTHS.map((s) => [
          `${s} s${s > 30 ? ' (2 segments)' : ''}`,
          ...VARIANTS.flatMap((v) => [1, 2].map((t) => rtfOf(v, t, s).toFixed(3))),
          ratio(rtfOf('fp32', 2, s), rtfOf('int8', 2, s)),
          pct(efficiency('fp32', 2, s)),
          pct(efficiency('int8', 2, s)),
        ]),
      ),
    );

    // --- where the time goes ---
    const profile = {} as Record<Variant, ProfileChild>;
    for (const variant of VARIANTS) profile[variant] = await runChild<ProfileChild>({ mode: 'profile', model, variant, threads: 2, seconds: 20, work }, mode);
    const ops = [...new Set([...Object.keys(profile.fp32.byOp), ...Object.keys(profile.int8.byOp)])]
      .map((op) => ({ op, fp32: profile.fp32.byOp[op] ?? 0, int8: profile.int8.byOp[op] ?? 0 }))
      .sort((a, b) => Math.max(b.fp32, b.int8) - Math.max(a.fp32, a.int8));
    const top = ops.slice(0, 8);
    const rest = ops.slice(8).reduce((acc, o) => ({ fp32: acc.fp32 + o.fp32, int8: acc.int8 + o.int8 }), { fp32: 0, int8: 0 });
    console.log('\nWhere the time goes: ORT profile of a warm 20 s run, 2 threads, kernel ms by operator (Loop bodies counted by their kernels):\n');
    console.log(
      markdownTable(
        ['operator', 'fp32 ms', 'int8 ms'],
        [
          ...top.map((o) => [o.op, o.fp32.toFixed(0), o.int8.toFixed(0)]),
          ['(others)', rest.fp32.toFixed(0), rest.int8.toFixed(0)],
          ['whole run', profile.fp32.runMs.toFixed(0), profile.int8.runMs.toFixed(0)],
        ],
      ),
    );
    const quantized = profile.int8.byOp.DynamicQuantizeMatMul ?? 0;
    const floatPart = profile.int8.runMs - quantized; // what int8 leaves in float (the same work as in fp32)
    const linearFp32 = profile.fp32.runMs - floatPart;
    console.log(
      `\nint8 quantizes the transformer's linear layers: ${linearFp32.toFixed(0)} ms of the fp32 run (${pct(linearFp32 / profile.fp32.runMs)}) become ${quantized.toFixed(0)} ms ` +
        `(${ratio(linearFp32, quantized)} faster). The other ${floatPart.toFixed(0)} ms (conv extractor, attention, norms) stay float in both, so int8 can be at most ` +
        `${ratio(profile.fp32.runMs, floatPart)} faster even with free linear layers; measured ${ratio(profile.fp32.runMs, profile.int8.runMs)}.`,
    );

    // --- fidelity ---
    const fid = await runChild<FidelityChild>({ mode: 'fidelity', model, threads: 2, prepack }, mode);
    let agree = 0;
    let decided = 0;
    let decidedAgree = 0;
    let maxDiff = 0;
    const fidRows = fid.inputs.map((name, i) => {
      const a = fid.scores.fp32[i]!;
      const b = fid.scores.int8[i]!;
      const labels = Object.keys(a);
      const top = (s: Record<string, number>): string => labels.reduce((x, y) => (s[y]! > s[x]! ? y : x));
      const sorted = Object.values(a).sort((x, y) => y - x);
      const margin = sorted[0]! - sorted[1]!;
      const diff = Math.max(...labels.map((l) => Math.abs(a[l]! - b[l]!)));
      maxDiff = Math.max(maxDiff, diff);
      const same = top(a) === top(b);
      if (same) agree += 1;
      if (margin > 2 * diff) {
        decided += 1;
        if (same) decidedAgree += 1;
      }
      return [name, top(a), top(b), margin.toFixed(4), diff.toFixed(4)];
    });
    console.log(
      '\nint8 fidelity (scores of the full-size random model; a top label can only flip where the fp32 margin is under twice the score difference):\n',
    );
    console.log(markdownTable(['input', 'fp32 top', 'int8 top', 'fp32 top-2 margin', 'max |score diff|'], fidRows));
    console.log(
      `top label agrees on ${agree}/${fid.inputs.length} inputs (${decidedAgree}/${decided} where the margin exceeds twice the difference); largest score difference ${maxDiff.toFixed(4)}`,
    );

    // --- cold start ---
    const cold: Record<string, ColdChild[]> = {};
    for (const variant of ['auto', ...VARIANTS] as const) {
      cold[variant] = [];
      for (let i = 0; i < coldRuns; i++)
        cold[variant].push(await runChild<ColdChild>({ mode: 'cold', model, ...(variant === 'auto' ? {} : { variant }), threads: 2, prepack }, mode));
    }
    console.log('\nCold start: a fresh process, from its start to the first Result of a 3.9 s WAV (median):\n');
    console.log(
      markdownTable(
        ['variant', 'first Result', 'imports', 'ORT session', 'runs'],
        Object.entries(cold).map(([variant, list]) => [
          variant === 'auto' ? `auto (ran ${list[0]!.variant}: ${list[0]!.reason})` : variant,
          `${(median(list.map((c) => c.firstResultMs)) / 1000).toFixed(2)} s`,
          `${(median(list.map((c) => c.importedMs)) / 1000).toFixed(2)} s`,
          `${(median(list.map((c) => c.sessionMs)) / 1000).toFixed(2)} s`,
          list.map((c) => (c.firstResultMs / 1000).toFixed(2)).join(', '),
        ]),
      ),
    );
    summary.push({
      mode,
      peak2: peak[2]!,
      eff20: efficiency('fp32', 2, 20),
      speedup20: rtfOf('fp32', 2, 20) / rtfOf('int8', 2, 20),
      cold: median(cold.auto!.map((c) => c.firstResultMs)) / 1000,
      coldVariant: cold.auto![0]!.variant,
      fidelity: { agree: `${agree}/${fid.inputs.length}`, decided: `${decidedAgree}/${decided}`, maxDiff },
    });
  }

  // --- memory, on this CPU ---
  if (wanted.has('host')) {
    const single = new Map<string, number>();
    for (const variant of VARIANTS) {
      for (const seconds of SINGLE_LENGTHS) {
        const out = await runChild<RtfChild>({ mode: 'rtf', model, variant, threads: 2, lengths: [seconds], runs: 1, warmup: 0, prepack }, host);
        single.set(`${variant}/${seconds}`, out.maxRssMB);
      }
    }
    console.log(`\n## Memory (${host.name})\n`);
    console.log('Peak RSS of one analysis in a fresh process (2 threads; GB):\n');
    console.log(
      markdownTable(
        ['variant', ...SINGLE_LENGTHS.map((s) => `${s} s`)],
        VARIANTS.map((v) => [v, ...SINGLE_LENGTHS.map((s) => (single.get(`${v}/${s}`)! / 1024).toFixed(2))]),
      ),
    );
    if (longS > 0) {
      const long = await runChild<LongChild>({ mode: 'long', model, variant: 'fp32', threads: 2, seconds: longS, prepack }, host);
      console.log(
        `\n${long.seconds} s input, fp32, frame mode: ${long.segments} segments, ${long.frames} frames, peak RSS ${(long.maxRssMB / 1024).toFixed(2)} GB, RTF ${(long.inferenceMs / 1000 / long.seconds).toFixed(3)}`,
      );
    }
  }

  console.log('\n## Targets (issue 10: on AVX2-only CPUs)\n');
  console.log(
    markdownTable(
      [
        'CPU',
        'fp32 efficiency at 20 s (>= 85%)',
        'int8 speed-up at 20 s (>= 1.3x)',
        'cold start, default variant (<= 1.2 s)',
        'int8 fidelity: agreement, max score diff (<= 0.02)',
      ],
      summary.map((s) => [
        `${s.mode.name} (peak ${s.peak2.toFixed(0)} GFLOP/s)`,
        `${pct(s.eff20)}: ${verdict(s.eff20 >= TARGET.efficiency)}`,
        `${s.speedup20.toFixed(2)}x: ${verdict(s.speedup20 >= TARGET.int8Speedup)}`,
        `${s.cold.toFixed(2)} s (${s.coldVariant}): ${verdict(s.cold <= TARGET.coldStartS)}`,
        `${s.fidelity.agree} (${s.fidelity.decided} decided), ${s.fidelity.maxDiff.toFixed(4)}: ${verdict(s.fidelity.maxDiff <= TARGET.maxScoreDiff)}`,
      ]),
    ),
  );
  const load1 = loadavg();
  console.log(
    `\nload average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${load1.map((l) => l.toFixed(2)).join(' ')} (2 cores: above ~1 before the run means another heavy job shared the machine; numbers are then noisy)`,
  );
  await rm(work, { recursive: true, force: true });
}

await main();
