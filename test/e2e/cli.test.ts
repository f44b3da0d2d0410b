import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cliMain = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

function e2v(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the built e2v executable', () => {
  it('should report the SIMD path the CPU supports', () => {
    const { status, stdout } = e2v(['info', '--json']);
    expect(status).toBe(0);
    expect(['avx2', 'sse2', 'neon', 'scalar']).toContain((JSON.parse(stdout) as { native: { simd: string } }).native.simd);
  });

  it('should honour E2V_SIMD=scalar', () => {
    const { status, stdout } = e2v(['info'], { E2V_SIMD: 'scalar' });
    expect(status).toBe(0);
    expect(stdout).toMatch(/^SIMD path\s+scalar \(E2V_SIMD=scalar\)$/m);
  });

  it('should exit 2 with exactly one line on stderr for a bad command line', () => {
    const { status, stdout, stderr } = e2v(['nonsense']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('should fail with one line naming every path tried when the addon cannot load', () => {
    const { status, stderr } = e2v(['info'], { E2V_NATIVE_PATH: '/nonexistent/e2v_native.node' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^e2v: Could not load the e2v native addon .*\/nonexistent\/e2v_native\.node .*E2V_NATIVE_PATH/);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
