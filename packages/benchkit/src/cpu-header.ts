/**
 * The header every benchmark prints before its tables: which CPU the figures come from (name,
 * family/model, the extensions that decide ONNX Runtime's kernels, cores), whether it ran as
 * itself or emulated as an AVX2-only CPU (scripts/avx2-only), and a peak sgemm rate measured in
 * the same run. Compare figures across hosts as ratios to that peak, never as absolute times.
 * @module
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { markdownTable } from './table.js';
import { measurePeakSgemm, type PeakSgemm } from './peak-sgemm.js';

/** Extensions named in the header, in this order. */
export const NOTABLE_EXTENSIONS = ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8', 'neon', 'dotprod', 'i8mm'] as const;

/** The CPU as @e2v/native's `cpuFeatures()` describes it (the part used here). */
export interface HostCpu {
  arch: string;
  vendor: string;
  brand: string;
  family: number;
  model: number;
  flags: { readonly [K in (typeof NOTABLE_EXTENSIONS)[number]]?: boolean };
}

/** The kernel's name for the CPU (a VM's CPUID brand is often generic). */
function kernelModelName(): string | undefined {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8')
      .match(/^model name\s*:\s*(.+)$/m)?.[1]
      ?.trim();
  } catch {
    return undefined;
  }
}

/** What the header reports. */
export interface CpuReport {
  name: string;
  familyModel: string;
  extensions: string[];
  cores: number;
  /** `scripts/avx2-only` mechanism when the process runs as an emulated AVX2-only CPU. */
  emulation: string | undefined;
  peak: PeakSgemm;
}

/** [async] Describes `cpu` and measures its peak sgemm with `threads` threads. */
export async function reportCpu(cpu: HostCpu, threads: number): Promise<CpuReport> {
  return {
    name: cpu.brand || kernelModelName() || cpus()[0]?.model || cpu.arch,
    familyModel: cpu.family > 0 ? `${cpu.vendor} family ${cpu.family} model ${cpu.model}` : cpu.arch,
    extensions: NOTABLE_EXTENSIONS.filter((name) => cpu.flags[name] === true),
    cores: availableParallelism(),
    emulation: process.env.E2V_AVX2_ONLY_MECHANISM,
    peak: await measurePeakSgemm(threads),
  };
}

/** Formats a {@link CpuReport} as a one-row markdown table. */
export function formatCpuReport(report: CpuReport): string {
  const { peak } = report;
  return markdownTable(
    ['CPU', 'family / model', 'extensions (CPUID)', 'cores', `peak sgemm, ${peak.threads} thread(s): ORT MatMul 2048^3, pre-packed b (b as input)`],
    [
      [
        report.name + (report.emulation === undefined || report.emulation === 'native' ? '' : ` as an AVX2-only CPU (${report.emulation})`),
        report.familyModel,
        report.extensions.join(' ') || 'none of note',
        report.cores,
        `${peak.gflops.toFixed(1)} GFLOP/s (${peak.unpackedGflops.toFixed(1)})`,
      ],
    ],
  );
}

/** [async] The header: {@link reportCpu} then {@link formatCpuReport}; returns the report too. */
export async function cpuHeader(cpu: HostCpu, threads: number): Promise<{ report: CpuReport; text: string }> {
  const report = await reportCpu(cpu, threads);
  return { report, text: formatCpuReport(report) };
}
