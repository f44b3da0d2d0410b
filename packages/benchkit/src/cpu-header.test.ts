import { describe, expect, it } from 'vitest';
import { formatCpuReport, NOTABLE_EXTENSIONS, reportCpu } from './cpu-header.js';

const ZEN2 = {
  arch: 'x64',
  vendor: 'AuthenticAMD',
  brand: 'AMD EPYC 7B12',
  family: 23,
  model: 49,
  flags: { avx2: true, fma: true, avx512f: false, sse2: true },
};

describe('the CPU header', () => {
  it('should name the CPU, its extensions and a measured peak', async () => {
    const report = await reportCpu(ZEN2, 1);
    expect(report).toMatchObject({ name: 'AMD EPYC 7B12', familyModel: 'AuthenticAMD family 23 model 49', extensions: ['avx2', 'fma'] });
    expect(report.peak.threads).toBe(1);
    expect(report.peak.gflops).toBeGreaterThan(0.1); // a real measurement, whatever the machine
    expect(report.peak.unpackedGflops).toBeGreaterThan(0.1);
    const text = formatCpuReport({ ...report, peak: { threads: 2, gflops: 170.06, unpackedGflops: 156.04 } });
    expect(text).toContain('| AMD EPYC 7B12');
    expect(text).toContain('170.1 GFLOP/s (156.0)');
    expect(text.split('\n')).toHaveLength(3);
  }, 120_000);

  it('should list extensions in a fixed order', () => {
    expect(NOTABLE_EXTENSIONS.slice(0, 4)).toEqual(['avx2', 'fma', 'avx512f', 'avx512_vnni']);
  });
});
