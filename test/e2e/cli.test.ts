import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';

const cliMain = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const cliPackage = fileURLToPath(new URL('../../packages/cli/package.json', import.meta.url));
const tinyA = fileURLToPath(new URL('../fixtures/emotion2vec/checkpoints/tiny-a', import.meta.url));
/** An addon path that cannot load (E2V_NATIVE_PATH is the only path tried when set). */
const NO_ADDON = { E2V_NATIVE_PATH: '/nonexistent/e2v_native.node' };

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
    const { status, stderr } = e2v(['info'], NO_ADDON);
    expect(status).toBe(1);
    expect(stderr).toMatch(/^e2v: E2V_ERR_NATIVE_LOAD: Could not load the e2v native addon .*\/nonexistent\/e2v_native\.node .*E2V_NATIVE_PATH/);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('should run the commands that need no DSP where the addon cannot load', async () => {
    const hub = await freePort(); // nothing listens there: the hub is refused at once
    const work = mkdtempSync(join(tmpdir(), 'e2v-no-addon-'));
    try {
      const help = e2v(['help'], NO_ADDON);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^Usage: e2v <command>/);
      const version = e2v(['--version'], NO_ADDON);
      expect(version.status, version.stderr).toBe(0);
      expect(version.stdout).toBe(`${(JSON.parse(readFileSync(cliPackage, 'utf8')) as { version: string }).version}\n`);
      const list = e2v(['model', 'list', '--json', '--models-dir', work], NO_ADDON);
      expect(list.status, list.stderr).toBe(0);
      expect((JSON.parse(list.stdout) as { id: string }[]).map((m) => m.id)).toContain('emotion2vec_plus_large');
      // pull gets as far as the (unreachable) hub, convert writes the model folder
      const pull = e2v(['model', 'pull', 'emotion2vec_plus_base', '--models-dir', work], { ...NO_ADDON, HF_ENDPOINT: `http://127.0.0.1:${hub}` });
      expect(pull.status).toBe(1);
      expect(pull.stderr).toMatch(/E2V_ERR_PULL_OFFLINE/);
      const convert = e2v(['model', 'convert', '--from', tinyA, '--out', join(work, 'tiny-a')], NO_ADDON);
      expect(convert.status, convert.stderr).toBe(0);
      expect(existsSync(join(work, 'tiny-a', 'model.json'))).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
