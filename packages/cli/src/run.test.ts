import { describe, expect, it } from 'vitest';
import { run } from './run.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('e2v CLI', () => {
  it('should report versions and the SIMD path with info', async () => {
    const { code, out } = await capture(['info']);
    expect(code).toBe(0);
    expect(out).toMatch(/^e2v\s+\d+\.\d+\.\d+/m);
    expect(out).toMatch(/^SIMD path\s+(avx2|sse2|neon|scalar)/m);
  });

  it('should print machine-readable info with --json', async () => {
    const { code, out } = await capture(['info', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { native: { simd: string }; node: string };
    expect(['avx2', 'sse2', 'neon', 'scalar']).toContain(report.native.simd);
    expect(report.node).toBe(process.versions.node);
  });

  it.each([
    ['analyze', 'x.wav', '-h'],
    ['model', 'pull', '--help'],
    ['info', '--help'],
  ])('should print the usage for %s %s and exit 0', async (...argv) => {
    const { code, out, err } = await capture(argv);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: e2v <command>/);
    expect(err).toBe('');
  });

  it('should take --help after -- as an argument, not a request for help', async () => {
    const { code, out } = await capture(['analyze', '--', '--help']);
    expect(out).toBe('');
    expect(code).not.toBe(0);
  });

  it('should exit 2 with one line for an unknown command', async () => {
    const { code, err } = await capture(['frobnicate']);
    expect(code).toBe(2);
    expect(err).toMatch(/^e2v: unknown command 'frobnicate'/);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('should exit 2 with one line for an unknown flag', async () => {
    const { code, err } = await capture(['info', '--colour']);
    expect(code).toBe(2);
    expect(err).toMatch(/--colour/);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('should print usage for help', async () => {
    const { code, out } = await capture(['help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: e2v');
  });
});
