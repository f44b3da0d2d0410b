import { describe, expect, it } from 'vitest';
import { run } from './run.js';

function capture(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('e2v CLI', () => {
  it('should report versions and the SIMD path with info', () => {
    const { code, out } = capture(['info']);
    expect(code).toBe(0);
    expect(out).toMatch(/^e2v\s+\d+\.\d+\.\d+/m);
    expect(out).toMatch(/^SIMD path\s+(avx2|sse2|neon|scalar)/m);
  });

  it('should print machine-readable info with --json', () => {
    const { code, out } = capture(['info', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { native: { simd: string }; node: string };
    expect(['avx2', 'sse2', 'neon', 'scalar']).toContain(report.native.simd);
    expect(report.node).toBe(process.versions.node);
  });

  it('should exit 2 with one line for an unknown command', () => {
    const { code, err } = capture(['frobnicate']);
    expect(code).toBe(2);
    expect(err).toMatch(/^e2v: unknown command 'frobnicate'/);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('should exit 2 with one line for an unknown flag', () => {
    const { code, err } = capture(['info', '--colour']);
    expect(code).toBe(2);
    expect(err).toMatch(/--colour/);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('should print usage for help', () => {
    const { code, out } = capture(['help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: e2v');
  });
});
