/**
 * cpuFeatures(): the CPU as CPUID reports it, checked against /proc/cpuinfo on Linux (the kernel
 * reads the same CPUID bits; a CPUID mask such as scripts/avx2-only may only hide extensions).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuFeatures } from '../lib/index.js';

const procFlags = (() => {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^(flags|Features)\s*:/.test(l));
    return line === undefined ? undefined : new Set(line.split(':')[1]!.trim().split(/\s+/));
  } catch {
    return undefined;
  }
})();

describe('cpuFeatures', () => {
  it('should describe this machine consistently', () => {
    const cpu = cpuFeatures();
    const expectedArch = process.arch === 'x64' ? 'x64' : process.arch === 'arm64' ? 'arm64' : 'other';
    expect(cpu.arch).toBe(expectedArch);
    const f = cpu.flags;
    // implications that hold on every CPU
    if (f.avx2) expect(f.avx).toBe(true);
    if (f.fma) expect(f.avx).toBe(true);
    if (f.avx512_vnni || f.avx512bw || f.avx512vl) expect(f.avx512f).toBe(true);
    if (f.amx_int8 || f.amx_bf16) expect(f.amx_tile).toBe(true);
    if (cpu.arch === 'x64') {
      expect(f.sse2).toBe(true); // every x86-64 CPU
      expect(cpu.vendor).toMatch(/^[\x20-\x7e]{12}$/);
      expect(cpu.family).toBeGreaterThan(0);
      expect(f.neon || f.dotprod || f.i8mm).toBe(false);
    }
    if (cpu.arch === 'arm64') expect(f.neon).toBe(true);
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64' && procFlags !== undefined)('should never report an extension /proc/cpuinfo lacks', () => {
    const f = cpuFeatures().flags;
    for (const name of ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx_vnni', 'amx_tile', 'amx_int8', 'amx_bf16'] as const) {
      if (f[name]) expect(procFlags!.has(name), `${name} reported by CPUID but not by the kernel`).toBe(true);
    }
  });
});
