/**
 * Loading the addon on first use: importing `@e2v/native` succeeds where the `.node` file cannot
 * load, and the first call that needs it throws NativeLoadError. Runs in a child process, where
 * E2V_NATIVE_PATH points at a file that does not exist.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIB = fileURLToPath(new URL('../lib/index.ts', import.meta.url));

/** Imports lib/index.ts in a child with an unloadable addon, runs `body` and prints its JSON. */
function withoutAddon(body: string): unknown {
  const script = `const native = await import(${JSON.stringify(LIB)});\n${body}`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, E2V_NATIVE_PATH: '/nonexistent/e2v_native.node' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout);
}

describe('loading the addon', () => {
  it('should import without the addon and throw NativeLoadError on the first call that needs it', () => {
    const report = withoutAddon(`
      const failures = [];
      for (const call of [() => native.simd(), () => native.cpuFeatures(), () => native.downmix([new Float32Array(1)])]) {
        try { call(); failures.push(null); } catch (error) {
          failures.push({ isNativeLoadError: error instanceof native.NativeLoadError, code: error.code, message: error.message, attempts: error.attempts });
        }
      }
      process.stdout.write(JSON.stringify(failures));
    `) as { isNativeLoadError: boolean; code: string; message: string; attempts: { path: string }[] }[];
    expect(report).toHaveLength(3);
    for (const failure of report) {
      expect(failure).toMatchObject({ isNativeLoadError: true, code: 'E2V_ERR_NATIVE_LOAD' });
      expect(failure.attempts.map((a) => a.path)).toEqual(['/nonexistent/e2v_native.node']);
      expect(failure.message).toMatch(/\/nonexistent\/e2v_native\.node .*E2V_NATIVE_PATH/);
    }
  });

  it('should reject the async calls with NativeLoadError', () => {
    const codes = withoutAddon(`
      const codes = await Promise.all([native.fbankAsync(new Float32Array(400)), native.resampleAsync(new Float32Array(8), 8000, 16000)].map((p) => p.then(() => null, (error) => error.code)));
      process.stdout.write(JSON.stringify(codes));
    `);
    expect(codes).toEqual(['E2V_ERR_NATIVE_LOAD', 'E2V_ERR_NATIVE_LOAD']);
  });
});
