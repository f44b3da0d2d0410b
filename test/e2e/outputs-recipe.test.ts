/**
 * What the original WebUI guide's scripts read from `outputs/`, produced by the real `e2v serve`
 * (a child process in the Asia/Shanghai time zone) through the Gradio API (`/api/predict`):
 * the guide's "scan outputs for anger" recipe, written in Node line for line, over the folders
 * the server wrote; `result.json`'s `timestamp` in local time with its UTC offset, naming the
 * same second as its folder, in the Gradio and REST outputs and in `e2v analyze`'s
 * results.jsonl; and a truncated MP3 analyzed as far as it goes, its warning in the processing
 * log and in `audio.warnings`.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { GOLDEN_DIR, testModelDir } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_FIXTURES_DIR, fileData, postJson, uploadFiles } from '../support/e2e-server.js';
import { CLI_MAIN, serveCli, type ServedCli } from '../support/serve-cli.js';

/** The zone the server and the CLI run in: UTC+8 all year (no daylight saving). */
const ZONE = { TZ: 'Asia/Shanghai' };
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}\+08:00$/;
const FOLDER = /^outputs_\d{8}_\d{6}(_\d+)?$/;
const LABELS = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'other', 'sad', 'surprised', 'unknown'];

/** What the guide's recipe read from one folder. */
interface Scanned {
  folder: string;
  emotion: unknown;
  confidence: unknown;
}

/**
 * The guide's recipe ("自动标记高风险客服录音"), in Node:
 *
 *     for folder in os.listdir(output_dir):
 *         if folder.startswith("outputs_"):
 *             result_path = os.path.join(output_dir, folder, "result.json")
 *             if os.path.exists(result_path):
 *                 data = json.load(f)
 *                 if data["emotion"] == "angry" and data["confidence"] > 0.75:
 *                     print(f"高风险录音: {folder}, 置信度 {data['confidence']:.2%}")
 *
 * @param threshold the guide's 0.75 unless given
 * @returns every folder read, and the lines printed
 */
function scanForAnger(outputDir: string, threshold = 0.75): { read: Scanned[]; printed: string[] } {
  const read: Scanned[] = [];
  const printed: string[] = [];
  for (const folder of readdirSync(outputDir)) {
    if (!folder.startsWith('outputs_')) continue;
    const resultPath = join(outputDir, folder, 'result.json');
    if (!existsSync(resultPath)) continue;
    const data = JSON.parse(readFileSync(resultPath, 'utf8')) as Record<string, unknown>;
    read.push({ folder, emotion: data['emotion'], confidence: data['confidence'] });
    if (data['emotion'] === 'angry' && (data['confidence'] as number) > threshold) {
      printed.push(`高风险录音: ${folder}, 置信度 ${((data['confidence'] as number) * 100).toFixed(2)}%`);
    }
  }
  return { read, printed };
}

/** `outputs_YYYYMMDD_HHMMSS` of a timestamp's own local date and time. */
function folderOfTimestamp(timestamp: string): string {
  const [, y, mo, d, h, mi, s] = TIMESTAMP.exec(timestamp) ?? [];
  return `outputs_${y}${mo}${d}_${h}${mi}${s}`;
}

/** Checks a timestamp: local time at +08:00, naming `folder`'s second, a moment ago. */
function expectLocalTimestamp(timestamp: unknown, folder: string): void {
  expect(timestamp).toMatch(TIMESTAMP);
  expect(folder.replace(/^(outputs_\d{8}_\d{6})_\d+$/, '$1')).toBe(folderOfTimestamp(timestamp as string)); // without a _N suffix
  // the offset is the real one: the instant it names is now, not eight hours away
  expect(Math.abs(Date.parse(timestamp as string) - Date.now())).toBeLessThan(5 * 60_000);
}

/** The first `fraction` of a file, as a download cut short leaves it. */
function cutFile(path: string, fraction: number): Uint8Array {
  const bytes = readFileSync(path);
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

const INPUTS: { name: string; bytes: Uint8Array }[] = [
  ...['speech_16k_mono', 'speech_8k_mono', 'white_noise_16k', 'long_12s_16k'].map((name) => ({
    name: `${name}.wav`,
    bytes: readFileSync(join(GOLDEN_DIR, 'inputs', `${name}.wav`)),
  })),
  { name: 'call-cut.mp3', bytes: cutFile(join(AUDIO_FIXTURES_DIR, 'speech.mp3'), 0.6) },
];

/** What the Gradio API answered for one input. */
interface Answer {
  name: string;
  folder: string;
  emotion: string;
  confidence: number;
  log: string;
  resultJson: Record<string, any>;
}

let cwd: string;
let server: ServedCli;
const answers: Answer[] = [];

beforeAll(async () => {
  // tiny-a (random weights) answers "fearful" at 0.39-0.52 for every input; a copy whose model.json
  // calls that output "angry" makes the recipe's emotion test true, so its threshold decides
  const model = join(await mkdtemp(join(tmpdir(), 'e2v-angry-model-')), 'tiny-angry');
  await cp(testModelDir('tiny-a'), model, { recursive: true });
  const manifest = JSON.parse(await readFile(join(model, 'model.json'), 'utf8')) as { labels: { key: string }[] };
  const angry = manifest.labels.find((l) => l.key === 'angry')!;
  const fearful = manifest.labels.find((l) => l.key === 'fearful')!;
  [angry.key, fearful.key] = ['fearful', 'angry'];
  await writeFile(join(model, 'model.json'), JSON.stringify(manifest));

  cwd = await mkdtemp(join(tmpdir(), 'e2v-guide-'));
  server = await serveCli(['--model', model, '--threads', '1'], { cwd, env: ZONE });
  const paths = await uploadFiles(
    server.url,
    INPUTS.map(({ name, bytes }) => ({ bytes, filename: name })),
  );
  for (const [i, path] of paths.entries()) {
    const response = await postJson(`${server.url}/api/predict`, { data: [fileData(path), 'utterance', false] });
    expect(response.status, INPUTS[i]!.name).toBe(200);
    const { data } = (await response.json()) as {
      data: [string, { label: string; confidences: { label: string; confidence: number }[] }, string, { path: string; url: string }, null];
    };
    const [, label, log, resultFile] = data;
    const resultJson = (await (await fetch(resultFile.url)).json()) as Record<string, any>;
    answers.push({
      name: INPUTS[i]!.name,
      folder: basename(dirname(resultFile.path)),
      emotion: label.label,
      confidence: label.confidences.find((c) => c.label === label.label)!.confidence,
      log,
      resultJson,
    });
  }
}, 120_000);

afterAll(async () => {
  if (server === undefined) return;
  server.child.kill('SIGTERM');
  await server.exited;
});

describe("the guide's outputs/ recipe on folders written by e2v serve through /api/predict", () => {
  it('should write one outputs_YYYYMMDD_HHMMSS folder per call into ./outputs, each with result.json and processed_audio.wav', () => {
    const folders = readdirSync(join(cwd, 'outputs')).filter((f) => !f.startsWith('.'));
    expect(folders.sort()).toEqual(answers.map((a) => a.folder).sort());
    for (const folder of folders) {
      expect(folder).toMatch(FOLDER);
      expect(readdirSync(join(cwd, 'outputs', folder)).sort()).toEqual(['processed_audio.wav', 'result.json']);
    }
  });

  it('should read every folder with the emotion and confidence the API answered', () => {
    const { read } = scanForAnger(join(cwd, 'outputs'));
    expect(read.map((r) => r.folder).sort()).toEqual(answers.map((a) => a.folder).sort());
    for (const entry of read) {
      const answer = answers.find((a) => a.folder === entry.folder)!;
      expect(typeof entry.emotion).toBe('string');
      expect(LABELS).toContain(entry.emotion);
      expect(typeof entry.confidence).toBe('number');
      expect(entry.confidence).toBeGreaterThan(0);
      expect(entry.confidence).toBeLessThanOrEqual(1);
      expect({ emotion: entry.emotion, confidence: entry.confidence }, answer.name).toEqual({ emotion: answer.emotion, confidence: answer.confidence });
    }
    expect(answers.every((a) => a.emotion === 'angry')).toBe(true); // the relabelled model
  });

  it("should flag exactly the folders the API answered angry above the threshold: none at the guide's 0.75, some at 0.47", () => {
    const dir = join(cwd, 'outputs');
    for (const threshold of [0.75, 0.47]) {
      const expected = answers.filter((a) => a.emotion === 'angry' && a.confidence > threshold);
      const { printed } = scanForAnger(dir, threshold);
      expect(printed.sort(), `threshold ${threshold}`).toEqual(
        expected.map((a) => `高风险录音: ${a.folder}, 置信度 ${(a.confidence * 100).toFixed(2)}%`).sort(),
      );
      if (threshold === 0.47) {
        // the split is real: some folders flagged, some not
        expect(printed.length).toBeGreaterThan(0);
        expect(printed.length).toBeLessThan(answers.length);
      }
    }
  });

  it('should write result.json timestamps in local time with the +08:00 offset, naming the same second as the folder', () => {
    for (const answer of answers) expectLocalTimestamp(answer.resultJson.timestamp, answer.folder);
  });

  it('should analyze the truncated MP3 as far as it goes and say so in the processing log and audio.warnings', () => {
    const cut = answers.find((a) => a.name === 'call-cut.mp3')!;
    const warning = {
      code: 'E2V_WARN_AUDIO_TRUNCATED',
      message: expect.stringMatching(
        /^The mp3 file is truncated: frame \d+ needs \d+ bytes but the file ends after \d+ bytes?; only the audio before the cut was analyzed$/,
      ),
    };
    expect(cut.resultJson.audio.warnings).toEqual([warning]);
    expect(cut.resultJson.audio.duration_s).toBeGreaterThan(0.3);
    expect(cut.resultJson.audio.duration_s).toBeLessThan(0.9);
    expect(cut.log.split('\n').filter((line) => line.startsWith('warning '))).toEqual([
      `warning E2V_WARN_AUDIO_TRUNCATED: ${cut.resultJson.audio.warnings[0].message}`,
    ]);
    for (const clean of answers.filter((a) => a !== cut)) {
      expect(clean.resultJson.audio.warnings, clean.name).toEqual([]);
      expect(clean.log, clean.name).not.toMatch(/warning/);
    }
  });

  it('should answer the REST API with the same local timestamp format, naming its outputs folder', async () => {
    const response = await fetch(`${server.url}/api/v1/analyze?save=true`, { method: 'POST', body: INPUTS[0]!.bytes });
    const body = (await response.json()) as { timestamp: string; files: { result_json: string } };
    const folder = decodeURIComponent(body.files.result_json.split('/').at(-2)!);
    expectLocalTimestamp(body.timestamp, folder);
  });
});

describe('e2v analyze --save-outputs in the same zone', () => {
  it('should write results.jsonl timestamps in local time with the +08:00 offset, naming the same second as each outputs folder', async () => {
    const input = await mkdtemp(join(tmpdir(), 'e2v-guide-in-'));
    for (const { name, bytes } of INPUTS.slice(0, 2)) await writeFile(join(input, name), bytes);
    const out = join(await mkdtemp(join(tmpdir(), 'e2v-guide-out-')), 'out');
    const run = spawnSync(process.execPath, [CLI_MAIN, 'analyze', input, '--model', testModelDir('tiny-a'), '--threads', '1', '--out', out, '--save-outputs'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...ZONE },
    });
    expect(run.status, run.stderr).toBe(0);
    const records = readFileSync(join(out, 'results.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { result: { timestamp: string }; output_dir: string });
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(basename(record.output_dir)).toMatch(FOLDER);
      expectLocalTimestamp(record.result.timestamp, basename(record.output_dir));
      const saved = JSON.parse(readFileSync(join(record.output_dir, 'result.json'), 'utf8')) as { timestamp: string };
      expect(saved.timestamp).toBe(record.result.timestamp);
    }
  });
});
