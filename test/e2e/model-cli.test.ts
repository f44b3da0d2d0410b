import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cliMain = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const tinyA = fileURLToPath(new URL('../fixtures/emotion2vec/checkpoints/tiny-a', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'e2v-model-cli-'));

function e2v(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('e2v model (the built executable)', () => {
  it('should convert a checkpoint folder into a model folder with both variants', () => {
    const out = join(work, 'models', 'tiny-a');
    const { status, stdout, stderr } = e2v(['model', 'convert', '--from', tinyA, '--out', out, '--int8']);
    expect(status, stderr).toBe(0);
    const report = JSON.parse(stdout) as { manifest: { labels: { key: string }[]; variants: Record<string, unknown> } };
    expect(report.manifest.labels.map((l) => l.key)).toEqual(['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'other', 'sad', 'surprised', 'unknown']);
    expect(Object.keys(report.manifest.variants).sort()).toEqual(['fp32', 'int8']);
    const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { source: { sha256: Record<string, string> } };
    expect(manifest.source.sha256['model.pt']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should refuse to overwrite a model folder without --force, with one line and exit 1', () => {
    const out = join(work, 'models', 'tiny-a');
    const refused = e2v(['model', 'convert', '--from', tinyA, '--out', out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n').at(-1)).toMatch(/^e2v: .*already exists.*--force/);
    expect(e2v(['model', 'convert', '--from', tinyA, '--out', out, '--force']).status).toBe(0);
  });

  it('should list the registry models with their install state', () => {
    const { status, stdout } = e2v(['model', 'list', '--json', '--models-dir', join(work, 'models')]);
    expect(status).toBe(0);
    const models = JSON.parse(stdout) as { id: string; installed: boolean }[];
    expect(models.map((m) => m.id)).toEqual(['emotion2vec_plus_large', 'emotion2vec_plus_base', 'emotion2vec_plus_seed']);
    expect(models.every((m) => !m.installed)).toBe(true);
  });

  it('should fail a pull quickly offline, saying how to install by hand', () => {
    const started = Date.now();
    const { status, stderr } = e2v(['model', 'pull', 'emotion2vec_plus_base', '--models-dir', join(work, 'models')], {
      HF_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(status).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(stderr).toMatch(/e2v model convert --from DIR/);
  });

  it('should write a random checkpoint with synth that converts like a real one', () => {
    const config = join(tinyA, 'config.yaml');
    const synth = e2v(['model', 'synth', '--config', config, '--out', join(work, 'synth'), '--seed', '7']);
    expect(synth.status, synth.stderr).toBe(0);
    const converted = e2v(['model', 'convert', '--from', join(work, 'synth'), '--out', join(work, 'synth-model')]);
    expect(converted.status, converted.stderr).toBe(0);
    expect((JSON.parse(converted.stdout) as { manifest: { random?: boolean } }).manifest.random).toBe(true);
  });

  it('should convert a training checkpoint, saying in one line which globals it left inert', () => {
    const config = join(tinyA, 'config.yaml');
    const synth = e2v(['model', 'synth', '--config', config, '--out', join(work, 'training'), '--seed', '7', '--training']);
    expect(synth.status, synth.stderr).toBe(0);
    const converted = e2v(['model', 'convert', '--from', join(work, 'training'), '--out', join(work, 'training-model')]);
    expect(converted.status, converted.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(work, 'training-model', 'model.json'), 'utf8')) as { source: { ignoredGlobals: string[] } };
    const ignored = manifest.source.ignoredGlobals;
    expect(ignored).toHaveLength(7);
    expect(ignored).toContain('argparse.Namespace');
    expect(converted.stderr.split('\n')).toContain(`ignored 7 unknown globals outside the weights: ${ignored.join(', ')}`);
    // the same weights as the synth without training state: the same graph data
    expect(Buffer.compare(readFileSync(join(work, 'training-model', 'model.onnx.data')), readFileSync(join(work, 'synth-model', 'model.onnx.data')))).toBe(0);
  });

  it('should exit 2 for a missing --from or an unknown subcommand', () => {
    expect(e2v(['model', 'convert', '--out', join(work, 'x')]).status).toBe(2);
    expect(e2v(['model', 'frobnicate']).status).toBe(2);
  });
});
