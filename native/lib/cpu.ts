/**
 * The CPU this process runs on, as CPUID (x86) or the OS (ARM64) reports it: what ONNX Runtime and
 * this addon choose their kernels by. Under an emulation or a CPUID mask (scripts/avx2-only) it
 * shows the emulated CPU, unlike /proc/cpuinfo.
 * @module
 */
import { binding } from './binding.js';

/** Instruction-set extensions usable by this process (x86 ones count only when the OS saves their registers). */
export interface CpuFlags {
  sse2: boolean;
  avx: boolean;
  avx2: boolean;
  fma: boolean;
  avx512f: boolean;
  avx512bw: boolean;
  avx512vl: boolean;
  /** AVX-512 VNNI: int32 accumulation of u8 x s8 products (`vpdpbusd`). */
  avx512_vnni: boolean;
  /** AVX-VNNI: the same on 256-bit registers (Alder Lake and later). */
  avx_vnni: boolean;
  amx_tile: boolean;
  amx_int8: boolean;
  amx_bf16: boolean;
  neon: boolean;
  /** ARMv8.2 dot product (`sdot` / `udot`). */
  dotprod: boolean;
  /** ARMv8.6 int8 matrix multiply (`smmla`). */
  i8mm: boolean;
}

const FLAG_NAMES = [
  'sse2',
  'avx',
  'avx2',
  'fma',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_vnni',
  'avx_vnni',
  'amx_tile',
  'amx_int8',
  'amx_bf16',
  'neon',
  'dotprod',
  'i8mm',
] as const satisfies readonly (keyof CpuFlags)[];

/** Identity and extensions of the CPU. */
export interface CpuFeatures {
  arch: 'x64' | 'arm64' | 'other';
  /** CPUID vendor, e.g. `GenuineIntel`, `AuthenticAMD` ('' off x86). */
  vendor: string;
  /** CPUID brand string, e.g. `AMD EPYC 7B12` ('' when the CPU has none). */
  brand: string;
  /** x86 display family (e.g. 23 for Zen 2, 6 for Intel Core / Xeon); 0 off x86. */
  family: number;
  /** x86 display model; 0 off x86. */
  model: number;
  stepping: number;
  flags: CpuFlags;
}

/**
 * [sync] The CPU's identity and instruction-set extensions, read when called.
 * @example
 * const { flags } = cpuFeatures();
 * const vnni = flags.avx512_vnni || flags.avx_vnni;
 */
export function cpuFeatures(): CpuFeatures {
  const raw = binding().cpuFeatures();
  const flags = Object.fromEntries(FLAG_NAMES.map((name) => [name, raw.flags[name] === true])) as Record<keyof CpuFlags, boolean>;
  const arch = raw.arch === 'x64' || raw.arch === 'arm64' ? raw.arch : 'other';
  return { arch, vendor: raw.vendor, brand: raw.brand, family: raw.family, model: raw.model, stepping: raw.stepping, flags };
}
