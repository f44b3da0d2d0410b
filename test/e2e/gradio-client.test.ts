/**
 * The real `@gradio/client` (2.7.0, as users install it) against the e2v server on loopback:
 * connect, view_api, predictions of the golden inputs at both granularities with and without the
 * embedding (outputs downloaded and checked against the golden reference), the examples table,
 * several predictions on one client, and a corrupt upload.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, handle_file } from '@gradio/client';
import { readNpy } from '@e2v/npy';
import { GOLDEN_DIR, loadF32, maxDiff, testModelDir } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_FIXTURES_DIR, GOLDEN_INPUTS_DIR, startTestServer, type TestServer } from '../support/e2e-server.js';
import { guideNames } from '../support/guide-names.js';

/** Same tolerance as the engine's parity tests (fp32 graph against the FunASR reference). */
const TOL = 1e-4;
/** tiny-a's embedding size. */
const EMBEDDING_DIM = 32;
/** A prediction must settle well before the test timeout: a hang fails with a message. */
const PREDICT_TIMEOUT_MS = 20_000;

const INPUTS = ['speech_16k_mono', 'speech_44k1_stereo', 'speech_8k_mono'] as const;
type Input = (typeof INPUTS)[number];

interface Golden {
  input_sample_rate: number;
  input_channels: number;
  num_frames: number;
  scores: number[];
}

function golden(input: Input): Golden {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, 'expected', 'tiny-a', input, 'result.json'), 'utf8')) as Golden;
}

interface FileData {
  path: string;
  url: string;
  size: number;
  orig_name: string;
  mime_type: string;
  meta: { _type: string };
}
interface LabelValue {
  label: string;
  confidences: { label: string; confidence: number }[];
}
interface ResultJson {
  emotion: string;
  emotion_zh: string;
  emoji: string;
  confidence: number;
  scores: Record<string, number>;
  granularity: string;
  frames: { rate: number; window_s: number; start_s: number[]; scores: number[][] } | null;
  audio: { sample_rate: number; channels: number; format: string; duration_s: number };
  model: { name: string; variant: string };
}

/** Rejects when `promise` has not settled after `ms`. */
function within<T>(promise: Promise<T>, ms = PREDICT_TIMEOUT_MS, what = 'the prediction'): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What `client.predict` resolves to. */
interface Prediction {
  type: string;
  data: unknown[];
}

/** `client.predict` that fails with a message instead of hanging until the test timeout. */
function predict(on: Client, endpoint: string, data: unknown[] | Record<string, unknown>, what = 'the prediction'): Promise<Prediction> {
  return within(on.predict<unknown[]>(endpoint, data) as Promise<Prediction>, PREDICT_TIMEOUT_MS, what);
}

async function download(file: FileData): Promise<Buffer> {
  const response = await fetch(file.url);
  expect(response.status, file.url).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

let ts: TestServer;
let client: Client;

beforeAll(async () => {
  ts = await startTestServer({ modelDir: testModelDir('tiny-a') });
  client = await Client.connect(ts.url);
});

afterAll(async () => {
  client?.close();
  await ts?.close();
});

describe('Client.connect and view_api', () => {
  it('should list /predict as the only public endpoint with audio, granularity and extract_embedding', async () => {
    const api = (await client.view_api()) as {
      named_endpoints: Record<string, { parameters: { parameter_name: string }[]; returns: unknown[] }>;
      unnamed_endpoints: object;
    };
    expect(Object.keys(api.named_endpoints)).toEqual(['/predict']);
    const predict = api.named_endpoints['/predict']!;
    // The client itself files /predict under unnamed_endpoints["0"] too; nothing else may be there.
    for (const endpoint of Object.values(api.unnamed_endpoints)) expect(endpoint).toEqual(predict);
    expect(predict.parameters.map((p) => p.parameter_name)).toEqual(['audio', 'granularity', 'extract_embedding']);
    expect(predict.returns).toHaveLength(5);
  });
});

describe('predict("/predict") with the golden inputs', () => {
  const cases = INPUTS.flatMap((input) =>
    (['utterance', 'frame'] as const).flatMap((granularity) => [false, true].map((embedding) => ({ input, granularity, embedding }))),
  );

  it.each(cases)('should analyze $input at $granularity granularity (embedding: $embedding)', async ({ input, granularity, embedding }) => {
    const expected = golden(input);
    const result = await predict(client, '/predict', {
      audio: handle_file(join(GOLDEN_INPUTS_DIR, `${input}.wav`)),
      granularity,
      extract_embedding: embedding,
    });
    expect(result.type).toBe('data');
    const data = result.data as [string, LabelValue, string, FileData, FileData | null];
    expect(data).toHaveLength(5);
    const [markdown, label, log, resultFile, embeddingFile] = data;

    // Label: 9 confidences, high to low, summing to 1, equal to the reference scores.
    expect(label.confidences).toHaveLength(9);
    const confidences = label.confidences.map((c) => c.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(confidences.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(label.label).toBe(label.confidences[0]!.label);

    // result.json: downloadable through its url, the design.md Result.
    expect(resultFile.orig_name).toBe('result.json');
    expect(resultFile.meta._type).toBe('gradio.FileData');
    expect(resultFile.url).toBe(`${ts.url}/gradio_api/file=${resultFile.path}`);
    expect(resultFile.path.startsWith(`${ts.server.folders.outputsDir}/`)).toBe(true);
    const bytes = await download(resultFile);
    expect(bytes.length).toBe(resultFile.size);
    const parsed = JSON.parse(bytes.toString('utf8')) as ResultJson;
    expect(parsed.emotion).toBe(label.label);
    expect(parsed.granularity).toBe(granularity);
    expect(Object.keys(parsed.scores)).toHaveLength(9);
    expect(maxDiff(Object.values(parsed.scores), expected.scores)).toBeLessThanOrEqual(TOL);
    expect(parsed.confidence).toBe(Math.max(...Object.values(parsed.scores)));
    for (const { label: key, confidence } of label.confidences) expect(confidence).toBe(parsed.scores[key]);
    expect(parsed.audio).toMatchObject({ sample_rate: expected.input_sample_rate, channels: expected.input_channels, format: 'wav' });
    if (granularity === 'utterance') {
      expect(parsed.frames).toBeNull();
    } else {
      const frames = parsed.frames!;
      expect(frames.rate).toBe(50);
      expect(frames.window_s).toBe(1);
      expect(frames.start_s).toHaveLength(expected.num_frames);
      expect(frames.scores).toHaveLength(expected.num_frames);
      expect(frames.start_s[1]! - frames.start_s[0]!).toBeCloseTo(0.02, 6);
      for (const row of frames.scores) expect(row).toHaveLength(9);
    }

    // Markdown and log tell the same story, as the original WebUI's guide prints it:
    // `😠 愤怒 (Angry)`, `置信度: 78.6%`, and every score as `angry: 0.786`.
    const { zh, en } = guideNames(parsed.emotion);
    expect(parsed.emotion_zh).toBe(zh);
    expect(markdown).toBe(`## ${parsed.emoji} ${zh} (${en})\n\n置信度: ${(parsed.confidence * 100).toFixed(1)}%`);
    for (const [key, score] of Object.entries(parsed.scores)) expect(log).toContain(`  ${key}: ${score.toFixed(3)}\n`);
    expect(log).toContain(`${expected.input_sample_rate} Hz`);
    expect(log).toMatch(/inference/);

    // embedding.npy: null unless asked; (D,) or (T', D) float32, equal to the reference.
    if (!embedding) {
      expect(embeddingFile).toBeNull();
      return;
    }
    expect(embeddingFile!.orig_name).toBe('embedding.npy');
    const npy = readNpy(await download(embeddingFile!));
    expect(npy.dtype).toBe('<f4');
    const reference = loadF32(join('expected', 'tiny-a', input, granularity === 'utterance' ? 'embedding.npy' : 'frames.npy'));
    expect(npy.shape).toEqual(granularity === 'utterance' ? [EMBEDDING_DIM] : [expected.num_frames, EMBEDDING_DIM]);
    expect(maxDiff(npy.data as Float32Array, reference.data)).toBeLessThanOrEqual(TOL);
  });
});

describe('the examples table', () => {
  it('should load example 0 and analyze the example audio it returns', async () => {
    const loaded = await predict(client, '/load_example', [0]);
    const [audio, granularity, embedding] = (loaded.data as { __type__: string; value: unknown }[]).map((update) => {
      expect(update.__type__).toBe('update');
      return update.value;
    }) as [FileData, 'utterance' | 'frame', boolean];
    expect(audio.path.startsWith(`${ts.server.folders.examplesDir}/`)).toBe(true);
    expect((await download(audio)).subarray(0, 4).toString('latin1')).toBe('RIFF');

    const result = await predict(client, '/predict', { audio, granularity, extract_embedding: embedding });
    const [, label, , resultFile, embeddingFile] = result.data as [string, LabelValue, string, FileData, FileData | null];
    expect(label.confidences).toHaveLength(9);
    expect((JSON.parse((await download(resultFile)).toString('utf8')) as ResultJson).emotion).toBe(label.label);
    expect(embeddingFile === null).toBe(!embedding);
  });
});

describe('several predictions on one client', () => {
  it('should run two predictions in a row on a fresh client (the stream is reopened after close_stream)', async () => {
    const fresh = await Client.connect(ts.url);
    try {
      const audio = handle_file(join(GOLDEN_INPUTS_DIR, 'speech_16k_mono.wav'));
      const first = await predict(fresh, '/predict', { audio, granularity: 'utterance', extract_embedding: false }, 'the first prediction');
      const second = await predict(fresh, '/predict', { audio, granularity: 'frame', extract_embedding: true }, 'the second prediction');
      expect(first.data[4]).toBeNull();
      expect(second.data[4]).not.toBeNull();
      expect((first.data[1] as LabelValue).label).toBe((second.data[1] as LabelValue).label);
    } finally {
      fresh.close();
    }
  });

  it('should run two predictions at once on one client', async () => {
    const fresh = await Client.connect(ts.url);
    try {
      const [a, b] = await within(
        Promise.all([
          predict(fresh, '/predict', { audio: handle_file(join(GOLDEN_INPUTS_DIR, 'speech_16k_mono.wav')) }),
          predict(fresh, '/predict', { audio: handle_file(join(GOLDEN_INPUTS_DIR, 'speech_8k_mono.wav')), granularity: 'frame' }),
        ]),
      );
      expect((a.data[1] as LabelValue).confidences).toHaveLength(9);
      expect((b.data[1] as LabelValue).confidences).toHaveLength(9);
    } finally {
      fresh.close();
    }
  });
});

describe('queue status', () => {
  it('should fill the eta of the pending status events once an analysis has finished', async () => {
    const watching = await Client.connect(ts.url, { events: ['data', 'status'] });
    try {
      const audio = handle_file(join(GOLDEN_INPUTS_DIR, 'speech_8k_mono.wav'));
      await predict(watching, '/predict', { audio }, 'the first prediction'); // one analysis has finished
      const etas: unknown[] = [];
      const done = (async () => {
        for await (const message of watching.submit('/predict', { audio })) {
          // estimation messages become pending statuses with a queue position (process_starts has original_msg)
          const status = message as { type: string; stage?: string; eta?: unknown; original_msg?: string };
          if (status.type === 'status' && status.stage === 'pending' && 'position' in status && status.original_msg === undefined) etas.push(status.eta);
          if (message.type === 'data') return;
        }
      })();
      await within(done, PREDICT_TIMEOUT_MS, 'the submitted prediction');
      expect(etas.length).toBeGreaterThan(0);
      for (const eta of etas) expect(eta).toBeGreaterThan(0);
    } finally {
      watching.close();
    }
  });
});

describe('errors', () => {
  it('should reject random bytes with a readable message and keep the client usable', async () => {
    let seed = 7;
    const noise = Buffer.from(Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff));
    const failure = await predict(client, '/predict', { audio: handle_file(noise) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/audio|format/i);
    expect((failure as Error).message).not.toMatch(/internal server error/i);

    const after = await predict(client, '/predict', { audio: handle_file(join(GOLDEN_INPUTS_DIR, 'speech_8k_mono.wav')) });
    expect((after.data[1] as LabelValue).confidences).toHaveLength(9);
  });

  it.each(['bad-mp3-truncated.mp3', 'bad-wav-truncated-header.wav', 'bad-text.txt'])(
    'should reject the broken file %s with a readable message',
    async (file) => {
      const failure = await predict(client, '/predict', { audio: handle_file(join(AUDIO_FIXTURES_DIR, file)) }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message.length).toBeGreaterThan(10);
      expect((failure as Error).message).not.toMatch(/internal server error/i);
    },
  );

  it('should reject clearly when the upload was refused (the client then sends its raw upload command)', async () => {
    const small = await startTestServer({ modelDir: testModelDir('tiny-a'), limits: { maxUploadBytes: 10_000 } });
    const limited = await Client.connect(small.url);
    try {
      const failure = await predict(limited, '/predict', { audio: handle_file(join(GOLDEN_INPUTS_DIR, 'speech_16k_mono.wav')) }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/upload/i);
    } finally {
      limited.close();
      await small.close();
    }
  });

  it('should reject a server path the client invents', async () => {
    const failure = await predict(client, '/predict', { audio: { path: '/etc/passwd', meta: { _type: 'gradio.FileData' } } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as Error).message).toMatch(/not allowed/i);
  });
});
