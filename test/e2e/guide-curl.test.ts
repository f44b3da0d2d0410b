/**
 * The original WebUI guide's API recipe with the real `curl`: its batch loop posts each file with
 * `curl -F "audio=@$audio" http://localhost:7860/api/predict`, and e2v answers with the JSON of
 * the Gradio API and writes an outputs folder per file, as the WebUI does. Also the form's
 * optional fields (granularity, extract_embedding), the other routes of the direct call, and
 * refusals: no file (400 naming the field), a bad extract_embedding (422 naming it), a file over
 * the upload limit (413 while reading, nothing left in the uploads folder).
 * @module
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { encodeWavPcm16 } from '@e2v/engine';
import { readNpy } from '@e2v/npy';
import { testModelDir } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_FIXTURES_DIR, GOLDEN_INPUTS_DIR, startTestServer, type TestServer } from '../support/e2e-server.js';

const run = promisify(execFile);
const HAS_CURL = spawnSync('curl', ['--version']).status === 0;
const SPEECH_WAV = join(GOLDEN_INPUTS_DIR, 'speech_16k_mono.wav');
const SPEECH_MP3 = join(AUDIO_FIXTURES_DIR, 'speech.mp3');

/** What /api/predict answers (the Gradio direct-call JSON). */
interface PredictAnswer {
  data: [
    string,
    { label: string; confidences: { label: string; confidence: number }[] },
    string,
    { path: string; url: string } | null,
    { path: string } | null,
  ];
  is_generating: boolean;
  duration: number;
}

/** `curl -s -F <field>...` to `url`: the status and the body. */
async function curlForm(url: string, fields: readonly string[]): Promise<{ status: number; body: string }> {
  const args = ['-s', '-w', '\n%{http_code}', ...fields.flatMap((field) => ['-F', field]), url];
  const { stdout } = await run('curl', args, { maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

/** The `outputs_*` folders of the server. */
async function outputFolders(ts: TestServer): Promise<string[]> {
  return (await readdir(ts.server.folders.outputsDir)).filter((name) => name.startsWith('outputs_')).sort();
}

let ts: TestServer;
let localhost: string;

beforeAll(async () => {
  ts = await startTestServer({ modelDir: testModelDir('tiny-a') });
  localhost = `http://localhost:${ts.server.port}`; // as the guide writes it
});

afterAll(async () => {
  await ts?.close();
});

describe.skipIf(!HAS_CURL)('the guide\'s curl -F "audio=@$audio" .../api/predict', () => {
  it("should answer each file of the guide's batch loop with the predict JSON and write an outputs folder per file", async () => {
    const work = await mkdtemp(join(tmpdir(), 'e2v-guide-'));
    await mkdir(join(work, 'input'));
    await copyFile(SPEECH_WAV, join(work, 'input', 'call 1.wav'));
    await copyFile(SPEECH_MP3, join(work, 'input', 'call2.mp3'));
    const before = await outputFolders(ts);
    // the guide's loop, with the port of this server
    const script = `for audio in input/*.wav input/*.mp3; do if [ -f "$audio" ]; then echo "Processing: $audio"; curl -F "audio=@$audio" ${localhost}/api/predict; fi; done`;
    const { stdout } = await run('bash', ['-c', script], { cwd: work });
    const answers = stdout
      .split('Processing: ')
      .slice(1)
      .map((chunk) => {
        const newline = chunk.indexOf('\n');
        return { file: chunk.slice(0, newline), answer: JSON.parse(chunk.slice(newline + 1)) as PredictAnswer };
      });
    expect(answers.map((a) => a.file)).toEqual(['input/call 1.wav', 'input/call2.mp3']);
    const written = (await outputFolders(ts)).filter((name) => !before.includes(name));
    expect(written).toHaveLength(2);
    for (const { answer } of answers) {
      expect(answer).toMatchObject({ is_generating: false, render_config: null, changed_state_ids: [] });
      const [markdown, label, log, resultFile, embeddingFile] = answer.data;
      expect(typeof markdown).toBe('string');
      expect(label.confidences).toHaveLength(9);
      expect(log).toMatch(/saved to /);
      expect(embeddingFile).toBeNull();
      const folder = dirname(resultFile!.path);
      expect(written).toContain(basename(folder));
      expect((await readdir(folder)).sort()).toEqual(['processed_audio.wav', 'result.json']);
      expect(JSON.parse(await readFile(resultFile!.path, 'utf8'))).toMatchObject({ emotion: label.label, granularity: 'utterance' });
    }
  });

  it('should take granularity and extract_embedding form fields, on every direct-call route', async () => {
    for (const [route, embedding] of [
      ['/api/predict', 'true'],
      ['/gradio_api/api/predict', 'on'],
      ['/run/predict', '1'],
      ['/gradio_api/run/predict', 'false'],
    ] as const) {
      const { status, body } = await curlForm(`${localhost}${route}`, [`audio=@${SPEECH_WAV}`, 'granularity=frame', `extract_embedding=${embedding}`]);
      expect(status, `${route}: ${body}`).toBe(200);
      const { data } = JSON.parse(body) as PredictAnswer;
      const result = JSON.parse(await readFile(data[3]!.path, 'utf8')) as { granularity: string; frames: { start_s: number[] } };
      expect(result.granularity).toBe('frame');
      if (embedding === 'false') {
        expect(data[4], route).toBeNull();
      } else {
        const npy = readNpy(new Uint8Array(await readFile(data[4]!.path)));
        expect(npy.shape).toEqual([result.frames.start_s.length, 32]);
      }
    }
  });

  it('should answer a form without a file with 400 saying it wants the field "audio"', async () => {
    const { status, body } = await curlForm(`${localhost}/api/predict`, ['granularity=frame']);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ error: expect.stringContaining('"audio"') as string, title: 'Error' });
    const text = await curlForm(`${localhost}/api/predict`, [`audio=${SPEECH_WAV}`]); // forgot the @
    expect(text.status).toBe(400);
    expect(JSON.parse(text.body)).toMatchObject({ error: expect.stringContaining('must be a file') as string });
  });

  it('should answer a bad extract_embedding with 422 naming the field', async () => {
    const { status, body } = await curlForm(`${localhost}/api/predict`, [`audio=@${SPEECH_WAV}`, 'extract_embedding=maybe']);
    expect(status).toBe(422);
    expect(JSON.parse(body)).toMatchObject({ error: expect.stringMatching(/^extract_embedding must be true or false/) as string });
  });

  it('should refuse a file over the upload limit with 413 while reading it, and leave nothing in the uploads folder', async () => {
    const small = await startTestServer({ modelDir: testModelDir('tiny-a'), limits: { maxUploadBytes: 100_000 } });
    try {
      // 2 MB: curl asks "Expect: 100-continue" and streams it; the limit stops it on the way
      const big = join(small.tmp, 'big.wav');
      await writeFile(
        big,
        encodeWavPcm16(
          Float32Array.from({ length: 16000 * 64 }, (_, n) => 0.3 * Math.sin(n / 7)),
          16000,
        ),
      );
      expect((await stat(big)).size).toBeGreaterThan(2_000_000);
      const before = await outputFolders(small);
      const { status, body } = await curlForm(`http://localhost:${small.server.port}/api/predict`, [`audio=@${big}`]);
      expect(status).toBe(413);
      expect(JSON.parse(body)).toMatchObject({ error: expect.stringContaining('100000 bytes') as string });
      expect(await readdir(small.server.folders.uploadsDir)).toEqual([]);
      expect(await outputFolders(small)).toEqual(before);
    } finally {
      await small.close();
    }
  });
});
