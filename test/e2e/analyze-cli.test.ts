/**
 * `e2v analyze` as users run it (the built executable): a folder of golden inputs with corrupt
 * files among them, results and CSV in --out, --json on stdout, --resume by content hash with one
 * record per input path, exit codes, Ctrl-C in the middle of a batch leaving resumable,
 * consistent files, and the faults: a really full disk (a tmpfs, when this runs as root),
 * unreadable files and folders, and outputs folders left by dead processes.
 * @module
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWavPcm16 } from '@e2v/engine';
import { readNpy } from '@e2v/npy';
import { GOLDEN_DIR, GOLDEN_INPUTS, testModelDir } from '@e2v/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

const cliMain = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const BAD = fileURLToPath(new URL('../../packages/engine/test/fixtures/audio/', import.meta.url));

function e2v(
  args: string[],
  options: { model?: string } & Pick<SpawnSyncOptions, 'uid' | 'gid'> = {},
): { status: number | null; stdout: string; stderr: string } {
  const { model = testModelDir('tiny-a'), ...spawnOptions } = options;
  const result = spawnSync(process.execPath, [cliMain, 'analyze', '--model', model, '--threads', '1', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...spawnOptions,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The records of a JSONL file (none when it does not exist); a torn line fails the parse. */
async function jsonl(path: string): Promise<Record<string, any>[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** `count` 4-second tones (distinct content) in a new folder. */
async function tones(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'e2v-batch-tones-'));
  for (let i = 0; i < count; i++) {
    const samples = new Float32Array(16000 * 4).map((_, n) => 0.3 * Math.sin((2 * Math.PI * (100 + 10 * i) * n) / 16000));
    await writeFile(join(dir, `tone-${String(i).padStart(2, '0')}.wav`), encodeWavPcm16(samples, 16000));
  }
  return dir;
}

/** Runs `mount` or `umount`; true when it worked. */
function sys(command: 'mount' | 'umount', ...args: string[]): boolean {
  return spawnSync(command, args).status === 0;
}

/** A full disk is made for real on a tmpfs, which needs root; elsewhere those tests are skipped. */
const canMount = ((probe: string) => {
  const mounted = sys('mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe) && sys('umount', probe);
  rmdirSync(probe);
  return mounted;
})(mkdtempSync(join(tmpdir(), 'e2v-mount-probe-')));

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
    const stdout = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    expect(stdout.map((r) => r.file).sort()).toEqual(results.map((r) => r.file).sort());
    expect(stdout[0]).toHaveProperty('scores');
    const csv = (await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv).toHaveLength(GOLDEN_INPUTS.length + 1);
    const npy = readNpy(new Uint8Array(await readFile(results[0]!.embedding_npy as string)));
    expect(npy.shape).toEqual([32]);
    expect(run.stderr).toMatch(/summary\n {2}files +9\n {2}analyzed +7\n {2}failed +2\n/);
    expect(run.stderr).toContain('failures\n');
  });

  it('should keep one record per input path over --resume reruns (failures retried, a copy under another name recorded too)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-batch-resume-'));
    await copyFile(join(input, 'speech_16k_mono.wav'), join(dir, 'a.wav'));
    await copyFile(join(input, 'speech_8k_mono.wav'), join(dir, 'b.wav'));
    await copyFile(join(input, 'corrupt', 'truncated.wav'), join(dir, 'bad.wav'));
    await copyFile(join(input, 'speech_16k_mono.wav'), join(dir, 'z-copy-of-a.wav'));
    const out = join(await mkdtemp(join(tmpdir(), 'e2v-batch-out-')), 'out');
    const first = e2v([dir, '--out', out, '--resume', '--csv', '--concurrency', '1']);
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(/ {2}analyzed +2\n {2}failed +1\n {2}skipped \(done before\) +0\n {2}reused \(same content\) +1\n/);
    const second = e2v([dir, '--out', out, '--resume', '--csv']);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/ {2}analyzed +0\n {2}failed +1\n {2}skipped \(done before\) +3\n/);
    expect(second.stderr).toContain(`failed: ${join(dir, 'bad.wav')}: E2V_ERR_AUDIO_`);

    const results = await jsonl(join(out, 'results.jsonl'));
    expect(results.map((r) => r.file).sort()).toEqual(['a.wav', 'b.wav', 'z-copy-of-a.wav'].map((f) => join(dir, f)));
    const [a, copy] = [results.find((r) => r.file === join(dir, 'a.wav'))!, results.find((r) => r.file === join(dir, 'z-copy-of-a.wav'))!];
    expect(copy.sha256).toBe(a.sha256);
    expect(copy.result).toEqual(a.result);
    const errors = await jsonl(join(out, 'errors.jsonl'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: join(dir, 'bad.wav'), error: { code: expect.stringMatching(/^E2V_ERR_AUDIO_/) } });
    expect((await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n')).toHaveLength(4);
    expect(e2v([dir, '--out', out, '--resume', '--allow-failures']).status).toBe(0);
    expect(await jsonl(join(out, 'errors.jsonl'))).toHaveLength(1);
  });

  it('should refuse a file over --max-duration-min as E2V_ERR_AUDIO_TOO_LONG and write its frame embedding row by row otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-batch-long-'));
    const minute = new Float32Array(16000 * 61).map((_, n) => 0.3 * Math.sin((2 * Math.PI * 150 * n) / 16000));
    await writeFile(join(dir, 'long.wav'), encodeWavPcm16(minute, 16000));
    await writeFile(join(dir, 'short.wav'), encodeWavPcm16(minute.subarray(0, 16000 * 59), 16000));
    const out = join(dir, 'out');
    const run = e2v([dir, '--out', out, '--max-duration-min', '1', '--granularity', 'frame', '--embedding']);
    expect(run.status).toBe(1);
    const [error] = await jsonl(join(out, 'errors.jsonl'));
    expect(error).toMatchObject({ file: join(dir, 'long.wav'), error: { code: 'E2V_ERR_AUDIO_TOO_LONG' } });
    const [result] = await jsonl(join(out, 'results.jsonl'));
    expect(result).toMatchObject({ file: join(dir, 'short.wav') });
    expect(readNpy(await readFile(result!.embedding_npy as string)).shape).toEqual([result!.result.frames.start_s.length, expect.any(Number)]);
    expect(e2v([dir, '--max-duration-min', '0']).status).toBe(2);
  });

  it('should smooth frame scores over --window seconds (0 = raw) and record it in the result', () => {
    const speech = join(GOLDEN_DIR, 'inputs', 'speech_16k_mono.wav');
    const frames = (args: string[]): { window_s: number; scores: number[][] } => {
      const run = e2v([speech, '--granularity', 'frame', '--json', ...args]);
      expect(run.status, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { frames: { window_s: number; scores: number[][] } }).frames;
    };
    const byDefault = frames([]);
    const raw = frames(['--window', '0']);
    expect(byDefault.window_s).toBe(1);
    expect(raw.window_s).toBe(0);
    expect(raw.scores).toHaveLength(byDefault.scores.length);
    expect(raw.scores).not.toEqual(byDefault.scores);
    expect(frames(['--window', '2.5']).window_s).toBe(2.5);
  });

  it('should refuse a bad command line with exit 2 and one line', () => {
    for (const args of [
      ['--granularity', 'word', input],
      ['--resume', input],
      [],
      ['--granularity', 'frame', '--window', '-1', input],
      ['--granularity', 'frame', '--window', '3601', input],
      ['--window', '2', input],
    ]) {
      const run = e2v(args);
      expect(run.status).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('should stop after the files in flight on Ctrl-C (exit 130), and --resume should finish the rest once each', async () => {
    const count = 40;
    const many = await tones(count);
    const out = join(many, 'out');
    const child = spawn(process.execPath, [cliMain, 'analyze', many, '--model', testModelDir('tiny-a'), '--threads', '1', '--concurrency', '1', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

/** Every name under `dir` (recursive). */
async function allNames(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String);
}

/**
 * Asserts that nothing in `out` is half-written: no temporary file or staging folder, one CSV row
 * per record, every embedding a whole .npy, every outputs folder complete.
 */
async function expectNothingHalfWritten(out: string, results: Record<string, any>[]): Promise<void> {
  expect((await allNames(out)).filter((name) => /(^|\/)\.outputs-tmp-|\.tmp$/.test(name))).toEqual([]);
  expect((await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n')).toHaveLength(results.length + 1);
  for (const npy of await readdir(join(out, 'embeddings')))
    expect(readNpy(new Uint8Array(await readFile(join(out, 'embeddings', npy)))).shape[0]).toBeGreaterThan(0);
  for (const r of results) {
    expect(readNpy(new Uint8Array(await readFile(r.embedding_npy as string))).shape.at(-1)).toBe(32);
    if (r.output_dir !== null)
      expect(JSON.parse(await readFile(join(r.output_dir as string, 'result.json'), 'utf8'))).toMatchObject({ emotion: r.result.emotion });
  }
}

describe('e2v analyze faults', () => {
  let toneDir: string;
  const TONES = 30;
  beforeAll(async () => {
    toneDir = await tones(TONES);
  });

  for (const [what, flags] of [
    ['results.jsonl: frame results', ['--granularity', 'frame', '--embedding', '--csv']],
    ['outputs folders', ['--save-outputs', '--embedding', '--csv']],
  ] as const) {
    it.skipIf(!canMount)(
      `should stop cleanly when the disk fills (${what}): exit 74, one typed line, a summary, no torn line; --resume then does each file once`,
      async () => {
        const disk = await mkdtemp(join(tmpdir(), 'e2v-full-disk-'));
        expect(sys('mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk)).toBe(true);
        try {
          const out = join(disk, 'results');
          const full = e2v([toneDir, '--out', out, ...flags]);
          expect(full.status).toBe(74);
          expect(full.stderr.split('\n').filter((line) => line.includes('E2V_ERR') || line.startsWith('e2v:'))).toEqual([
            expect.stringMatching(
              /^e2v: E2V_ERR_CLI_OUTPUT_FULL: the disk of .+ is full \(ENOSPC writing [^)]+\); \d+ files not done: make room, then run again with --resume$/,
            ),
          ]);
          const partial = await jsonl(join(out, 'results.jsonl'));
          expect(await jsonl(join(out, 'errors.jsonl'))).toEqual([]);
          expect(partial.length).toBeGreaterThan(0);
          expect(partial.length).toBeLessThan(TONES);
          expect(full.stderr).toContain(
            `\nsummary\n  files                     ${TONES}\n  analyzed                  ${partial.length}\n  failed                    0\n`,
          );
          expect(full.stderr).toContain(`\n  not done (stopped early)  ${TONES - partial.length}\n`);
          expect(full.stderr).toContain(`${TONES - partial.length} files not done`);
          await expectNothingHalfWritten(out, partial);

          expect(sys('mount', '-o', 'remount,size=32m', disk)).toBe(true);
          const resumed = e2v([toneDir, '--out', out, '--resume', ...flags]);
          expect(resumed.stderr).not.toContain('E2V_ERR');
          expect(resumed.status).toBe(0);
          const all = await jsonl(join(out, 'results.jsonl'));
          expect(all.map((r) => r.file)).toHaveLength(TONES);
          expect(new Set(all.map((r) => r.file))).toEqual(new Set((await readdir(toneDir)).map((f) => join(toneDir, f))));
          expect(resumed.stderr).toMatch(new RegExp(`analyzed +${TONES - partial.length}\\n.*\\n {2}skipped \\(done before\\) +${partial.length}\\n`));
          await expectNothingHalfWritten(out, all);
        } finally {
          expect(sys('umount', disk)).toBe(true);
          await rm(disk, { recursive: true });
        }
      },
    );
  }

  it('should remove unfinished outputs folders of dead processes when it saves outputs, and say so', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'e2v-batch-out-')), 'out');
    const dead = join(out, 'outputs', '.outputs-tmp-99999999-abcdef012345');
    const live = join(out, 'outputs', `.outputs-tmp-${process.pid}-abcdef012345`);
    for (const dir of [dead, live]) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'processed_audio.wav'), 'half');
    }
    const run = e2v([join(input, 'speech_16k_mono.wav'), '--out', out, '--save-outputs']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`removed 1 unfinished outputs folder(s) of stopped e2v processes in ${join(out, 'outputs')}\n`);
    const left = await readdir(join(out, 'outputs'));
    expect(left).not.toContain('.outputs-tmp-99999999-abcdef012345');
    expect(left).toContain(`.outputs-tmp-${process.pid}-abcdef012345`);
    expect(left.filter((name) => name.startsWith('outputs_'))).toHaveLength(1);
  });

  it('should record an unreadable file as E2V_ERR_CLI_FILE (cause EACCES) and name an unreadable folder', async () => {
    // root reads everything: then the CLI runs as nobody, as the user the tester was
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const root = await mkdtemp(join(tmpdir(), 'e2v-batch-perm-'));
    const model = join(root, 'model');
    await cp(testModelDir('tiny-a'), model, { recursive: true });
    await mkdir(join(root, 'in'));
    await mkdir(join(root, 'locked'));
    await copyFile(join(input, 'speech_16k_mono.wav'), join(root, 'in', 'ok.wav'));
    await copyFile(join(input, 'speech_16k_mono.wav'), join(root, 'in', 'secret.wav'));
    await copyFile(join(input, 'speech_16k_mono.wav'), join(root, 'locked', 'x.wav'));
    await mkdir(join(root, 'out'));
    for (const [path, mode] of [
      [root, 0o755],
      [model, 0o755],
      [join(root, 'in'), 0o755],
      [join(root, 'out'), 0o777],
      [join(root, 'in', 'secret.wav'), 0o000],
      [join(root, 'locked'), 0o000],
    ] as const)
      await chmod(path, mode);
    for (const file of [...(await readdir(model)).map((f) => join(model, f)), join(root, 'in', 'ok.wav')]) await chmod(file, 0o644);
    try {
      const run = e2v([join(root, 'in'), '--out', join(root, 'out')], { model, ...user });
      expect(run.status).toBe(1);
      const secret = join(root, 'in', 'secret.wav');
      expect(await jsonl(join(root, 'out', 'errors.jsonl'))).toEqual([
        { file: secret, sha256: null, error: { code: 'E2V_ERR_CLI_FILE', message: `cannot read ${secret}: permission denied (EACCES)`, cause: 'EACCES' } },
      ]);
      expect(await jsonl(join(root, 'out', 'results.jsonl'))).toHaveLength(1);
      for (const [arg, named] of [
        [`${root}/locked/*.wav`, `${root}/locked/`],
        [join(root, 'locked'), join(root, 'locked')],
      ] as const) {
        const refused = e2v([arg], { model, ...user });
        expect(refused.status).toBe(1);
        expect(refused.stderr).toBe(`e2v: E2V_ERR_CLI_FILE: cannot read ${named}: permission denied (EACCES)\n`);
      }
    } finally {
      await chmod(join(root, 'locked'), 0o755);
      await rm(root, { recursive: true, force: true });
    }
  });
});
