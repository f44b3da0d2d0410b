/**
 * `e2v info`: versions, the native SIMD path in use, and the CPU (with the graph variant
 * `--variant auto` runs on it).
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { int8IsFaster } from '@e2v/engine';
import { cpuFeatures, simd, type CpuFeatures } from '@e2v/native';

/** What `e2v info` reports. */
export interface InfoReport {
  e2v: string;
  node: string;
  napi: string;
  platform: string;
  native: { version: string; simd: string };
  cpu: { brand: string; family: number; model: number; extensions: string[]; autoVariant: 'int8' | 'fp32' };
}

/** The extensions worth naming for inference speed, in the order they are listed. */
const NOTABLE = ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8', 'neon', 'dotprod', 'i8mm'] as const;

function describeCpu(cpu: CpuFeatures): InfoReport['cpu'] {
  return {
    brand: cpu.brand || cpu.arch,
    family: cpu.family,
    model: cpu.model,
    extensions: NOTABLE.filter((name) => cpu.flags[name]),
    autoVariant: int8IsFaster(cpu) ? 'int8' : 'fp32',
  };
}

function packageVersion(specifier: string): string {
  const require = createRequire(import.meta.url);
  const path = require.resolve(specifier);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/** The e2v version (of this package), read without loading the native addon. */
export function e2vVersion(): string {
  return packageVersion('../../package.json');
}

/**
 * Collects versions and the SIMD path (loads the native addon).
 * @throws NativeLoadError `E2V_ERR_NATIVE_LOAD` when the addon cannot load
 */
export function collectInfo(): InfoReport {
  return {
    e2v: e2vVersion(),
    node: process.versions.node,
    napi: process.versions.napi ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    native: { version: packageVersion('@e2v/native/package.json'), simd: simd() },
    cpu: describeCpu(cpuFeatures()),
  };
}

/** Formats the report as aligned `key: value` lines. */
export function formatInfo(report: InfoReport): string {
  const lines: [string, string][] = [
    ['e2v', report.e2v],
    ['node', `${report.node} (Node-API ${report.napi})`],
    ['platform', report.platform],
    ['@e2v/native', report.native.version],
    ['SIMD path', report.native.simd + (process.env.E2V_SIMD ? ` (E2V_SIMD=${process.env.E2V_SIMD})` : '')],
    ['CPU', `${report.cpu.brand}${report.cpu.family > 0 ? ` (family ${report.cpu.family}, model ${report.cpu.model})` : ''}`],
    ['CPU extensions', report.cpu.extensions.join(' ') || 'none of note'],
    ['--variant auto', `${report.cpu.autoVariant} when the model folder has it`],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return `${lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
