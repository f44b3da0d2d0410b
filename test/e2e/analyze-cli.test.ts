/**
 * `e2v analyze` as users run it (the built executable): a folder of golden inputs with corrupt
 * files among them, results and CSV in --out, --json on stdout, --resume by content hash, exit
 * codes, and Ctrl-C in the middle of a batch leaving resumable, consistent files.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWavPcm16 } from '@e2v/engine';
import { readNpy } from '@e2v/npy';
import { GOLDEN_DIR, GOLDEN_INPUTS, testModelDir } from '@e2v/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

const cliMain = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const BAD = fileURLToPath(new URL('../../packages/engine/test/fixtures/audio/', import.meta.url));

function e2v(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliMain, 'analyze', '--model', testModelDir('tiny-a'), '--threads', '1', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function jsonl(path: string): Promise<Record<string, any>[]> {
  return (await readFile(path, 'utf8')).trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
}

let input: string;
beforeAll(async () => {
  input = await mkdtemp(join(tmpdir(), 'e2v-batch-in-'));
  await mkdir(join(input, 'corrupt'));
  for (const name of GOLDEN_INPUTS) await copyFile(join(GOLDEN_DIR, 'inputs', `${name}.wav`), join(input, `${name}.wav`));
  await copyFile(join(BAD, 'bad-wav-truncated-header.wav'), join(input, 'corrupt', 'truncated.wav'));
  await copyFile(join(BAD, 'bad-mp3-truncated.mp3'), join(input, 'corrupt', 'truncated.mp3'));
});

describe('e2v analyze', () => {
  it('should analyze a folder, record failures without stopping, and exit 1 because some failed', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'e2v-batch-out-')), 'out');
    const run = e2v([input, '--out', out, '--csv', '--embedding', '--json']);
    expect(run.status).toBe(1);
    const results = await jsonl(join(out, 'results.jsonl'));
    const errors = await jsonl(join(out, 'errors.jsonl'));
    expect(results).toHaveLength(GOLDEN_INPUTS.length);
    expect(errors.map((e) => e.file).sort()).toEqual([join(input, 'corrupt', 'truncated.mp3'), join(input, 'corrupt', 'truncated.wav')]);
    for (const e of errors) expect(e.error.code).toMatch(/^E2V_ERR_AUDIO_/);
    const stdout = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(stdout.map((r) => r.file).sort()).toEqual(results.map((r) => r.file).sort());
    expect(stdout[0]).toHaveProperty('scores');
    const csv = (await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv).toHaveLength(GOLDEN_INPUTS.length + 1);
    const npy = readNpy(new Uint8Array(await readFile(results[0]!.embedding_npy as string)));
    expect(npy.shape).toEqual([32]);
    expect(run.stderr).toMatch(/summary\n {2}files +9\n {2}analyzed +7\n {2}failed +2\n/);
    expect(run.stderr).toContain('failures\n');
  });

  it('should skip files already done with --resume (by content, not name) and pass with --allow-failures', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'e2v-batch-out-')), 'out');
    expect(e2v([join(input, 'speech_16k_mono.wav'), '--out', out]).status).toBe(0);
    const renamed = await mkdtemp(join(tmpdir(), 'e2v-batch-renamed-'));
    await copyFile(join(input, 'speech_16k_mono.wav'), join(renamed, 'same-audio-new-name.wav'));
    await copyFile(join(input, 'speech_8k_mono.wav'), join(renamed, 'other.wav'));
    const resumed = e2v([renamed, '--out', out, '--resume']);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toMatch(/skipped \(done before\) +1/);
    expect(await jsonl(join(out, 'results.jsonl'))).toHaveLength(2);
    const failing = e2v([join(input, 'corrupt'), join(input, 'speech_8k_mono.wav'), '--allow-failures']);
    expect(failing.status).toBe(0);
  });

  it('should refuse a bad command line with exit 2 and one line', () => {
    for (const args of [['--granularity', 'word', input], ['--resume', input], []]) {
      const run = e2v(args);
      expect(run.status).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('should stop after the files in flight on Ctrl-C (exit 130), and --resume should finish the rest once each', async () => {
    const many = await mkdtemp(join(tmpdir(), 'e2v-batch-many-'));
    const count = 40;
    for (let i = 0; i < count; i++) {
      const samples = new Float32Array(16000 * 4).map((_, n) => 0.3 * Math.sin((2 * Math.PI * (100 + 10 * i) * n) / 16000));
      await writeFile(join(many, `tone-${String(i).padStart(2, '0')}.wav`), encodeWavPcm16(samples, 16000));
    }
    const out = join(many, 'out');
    const child = spawn(process.execPath, [cliMain, 'analyze', many, '--model', testModelDir('tiny-a'), '--threads', '1', '--concurrency', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Interrupt once the first results are on disk.
    for (;;) {
      const lines = await readFile(join(out, 'results.jsonl'), 'utf8').catch(() => '');
      if (lines.split('\n').length > 2) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted; \d+ files not started \(run again with --resume to continue\)/);
    const partial = await jsonl(join(out, 'results.jsonl'));
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(count);
    const resumed = e2v([many, '--out', out, '--resume', '--concurrency', '1']);
    expect(resumed.status).toBe(0);
    const all = await jsonl(join(out, 'results.jsonl'));
    expect(all).toHaveLength(count);
    expect(new Set(all.map((r) => r.sha256)).size).toBe(count);
    expect((await readdir(many)).filter((f) => f.endsWith('.wav'))).toHaveLength(count);
  });
});
