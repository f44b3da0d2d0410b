import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWavPcm16 } from '@e2v/engine';
import { readNpy } from '@e2v/npy';
import { GOLDEN_DIR, testModelDir } from '@e2v/testkit';
import pino from 'pino';
import { createPluginHost, definePlugin, type PluginHost } from '@e2v/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type E2vApp } from './app.js';
import { loadModelStatus, type ModelStatus } from './analysis/model-state.js';
import { EXAMPLES_DIR } from './examples.js';
import { DEFAULT_LIMITS } from './http/limits.js';
import { REST_ROUTES } from './rest/spec.js';
import { FileStore } from './storage/file-store.js';

const SPEECH = join(GOLDEN_DIR, 'inputs', 'speech_16k_mono.wav');
const BAD_AUDIO = new URL('../../engine/test/fixtures/audio/', import.meta.url);
const BASE = 'http://127.0.0.1:7860';

let model: ModelStatus;
let built: E2vApp;
let noModel: E2vApp;

async function build(status: ModelStatus, plugins?: PluginHost, maxInlineEmbeddingMB = 8, registryFile?: string): Promise<E2vApp> {
  const dir = await mkdtemp(join(tmpdir(), 'e2v-app-'));
  const store = await FileStore.open({ uploadsDir: join(dir, 'uploads'), outputsDir: join(dir, 'outputs'), examplesDir: EXAMPLES_DIR });
  return createApp({
    model: status,
    store,
    limits: DEFAULT_LIMITS,
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    concurrency: 1,
    maxQueued: 4,
    maxInlineEmbeddingMB,
    modelsDir: join(dir, 'models'),
    version: '0.0.0-test',
    ...(plugins === undefined ? {} : { plugins }),
    ...(registryFile === undefined ? {} : { registryFile }),
  });
}

beforeAll(async () => {
  model = await loadModelStatus(testModelDir('tiny-a'), { threads: 1 });
  built = await build(model);
  noModel = await build(await loadModelStatus(undefined, {}));
});

afterAll(async () => {
  built.events.close();
  noModel.events.close();
  if (model.ready) await model.engine.close();
});

async function request(app: E2vApp, path: string, init?: RequestInit): Promise<Response> {
  return app.app.request(`${BASE}${path}`, { ...init, headers: { host: '127.0.0.1:7860', ...(init?.headers as Record<string, string>) } });
}

async function upload(path: string): Promise<string> {
  const form = new FormData();
  form.append('files', new Blob([await readFile(path)]), 'blob');
  const response = await request(built, '/gradio_api/upload', { method: 'POST', body: form });
  expect(response.status).toBe(200);
  return ((await response.json()) as string[])[0]!;
}

function analyzeForm(bytes: Uint8Array): FormData {
  const form = new FormData();
  form.append('audio', new Blob([bytes]), 'clip');
  return form;
}

describe('Gradio config and info', () => {
  it('should describe the app with stable ids and a root taken from the request', async () => {
    const config = (await (await request(built, '/config')).json()) as Record<string, any>;
    expect(config).toMatchObject({ version: '5.49.1', api_prefix: '/gradio_api', protocol: 'sse_v3', root: BASE, enable_queue: true });
    const ids = new Set((config.components as { id: number }[]).map((c) => c.id));
    (config.dependencies as { id: number; inputs: number[]; outputs: number[]; targets: [number, string][] }[]).forEach((dep, i) => {
      expect(dep.id).toBe(i);
      for (const id of [...dep.inputs, ...dep.outputs, ...dep.targets.map((t) => t[0])]) expect(ids.has(id)).toBe(true);
    });
    const forwarded = (await (
      await request(built, '/config', { headers: { 'x-forwarded-host': 'e2v.example.org', 'x-forwarded-proto': 'https' } })
    ).json()) as { root: string };
    expect(forwarded.root).toBe('https://e2v.example.org');
  });

  it('should list only /predict, and load_example with all_endpoints', async () => {
    const info = (await (await request(built, '/gradio_api/info')).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(info.named_endpoints!)).toEqual(['/predict']);
    expect(info.unnamed_endpoints).toEqual({});
    const all = (await (await request(built, '/info?all_endpoints=true')).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(all.named_endpoints!)).toEqual(['/predict', '/load_example']);
  });

  it('should show the audio example as a URL of the server, no path of its machine, and predict it back', async () => {
    const text = await (await request(built, '/gradio_api/info?all_endpoints=true')).text();
    expect(text).not.toContain(EXAMPLES_DIR);
    const info = JSON.parse(text) as { named_endpoints: Record<string, { parameters: { example_input: unknown }[] }> };
    const example = info.named_endpoints['/predict']!.parameters[0]!.example_input as { path: string; url: string };
    expect(example).toEqual({
      path: `${BASE}/api/v1/examples/0`,
      url: `${BASE}/api/v1/examples/0`,
      orig_name: 'example.wav',
      meta: { _type: 'gradio.FileData' },
    });
    expect((await request(built, '/api/v1/examples/0')).status).toBe(200);
    const predicted = await request(built, '/run/predict', { method: 'POST', body: JSON.stringify({ data: [example, 'utterance', false] }) });
    expect(predicted.status).toBe(200);
    // only this server's own example URLs: any other URL is still refused, never fetched
    const other = await request(built, '/run/predict', {
      method: 'POST',
      body: JSON.stringify({ data: [{ path: 'http://127.0.0.2:7860/api/v1/examples/0' }] }),
    });
    expect(other.status).toBe(400);
  });
});

describe('Gradio direct calls', () => {
  it('should predict from an uploaded file and write result.json (embedding null when not asked)', async () => {
    const path = await upload(SPEECH);
    const response = await request(built, '/gradio_api/run/predict', {
      method: 'POST',
      body: JSON.stringify({ data: [{ path, meta: { _type: 'gradio.FileData' } }, 'utterance', false] }),
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: unknown[] };
    expect(data).toHaveLength(5);
    expect(data[0]).toMatch(/^## \S+ [愤怒厌恶恐惧快乐中性其他悲伤惊讶未知]{2} \([A-Z][a-z]+\)\n\n置信度: \d+\.\d%$/);
    const label = data[1] as { label: string; confidences: { confidence: number }[] };
    expect(label.confidences).toHaveLength(9);
    const file = data[3] as { path: string; url: string; meta: unknown };
    expect(file.url).toBe(`${BASE}/gradio_api/file=${file.path}`);
    const result = JSON.parse(await readFile(file.path, 'utf8')) as { emotion: string };
    expect(result.emotion).toBe(label.label);
    expect(data[4]).toBeNull();
  });

  it('should predict frame granularity with an embedding.npy of (frames, D)', async () => {
    const path = await upload(SPEECH);
    const response = await request(built, '/api/predict', { method: 'POST', body: JSON.stringify({ data: [{ path }, 'frame', true] }) });
    const { data } = (await response.json()) as { data: { path: string }[] };
    const npy = readNpy(new Uint8Array(await readFile(data[4]!.path)));
    const result = JSON.parse(await readFile(data[3]!.path, 'utf8')) as { frames: { start_s: number[] } };
    expect(npy.shape).toEqual([result.frames.start_s.length, 32]);
  });

  it('should load an example whose path predict accepts', async () => {
    const example = (await (await request(built, '/run/load_example', { method: 'POST', body: JSON.stringify({ data: [0] }) })).json()) as {
      data: { value: { path: string } }[];
    };
    expect(example.data[0]!.value.path).toBe(join(EXAMPLES_DIR, 'example.wav'));
    const response = await request(built, '/run/predict', { method: 'POST', body: JSON.stringify({ data: [example.data[0]!.value, 'utterance', false] }) });
    expect(response.status).toBe(200);
  });

  it('should predict from a form (audio file, granularity, extract_embedding) with the answer of the JSON form', async () => {
    const form = analyzeForm(await readFile(SPEECH));
    form.append('granularity', 'frame');
    form.append('extract_embedding', 'on');
    const response = await request(built, '/api/predict', { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: ({ path: string } | null)[]; is_generating: boolean };
    expect(body).toMatchObject({ is_generating: false, render_config: null, changed_state_ids: [] });
    expect(JSON.parse(await readFile(body.data[3]!.path, 'utf8'))).toMatchObject({ granularity: 'frame' });
    expect(body.data[4]).not.toBeNull();
    const empty = new FormData();
    empty.append('granularity', 'frame');
    const refused = await request(built, '/run/predict', { method: 'POST', body: empty });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toContain('"audio"');
  });

  it('should refuse paths it does not own and URLs, with a Gradio error payload', async () => {
    for (const path of ['/etc/passwd', 'http://127.0.0.1:1/x.wav']) {
      const response = await request(built, '/run/predict', { method: 'POST', body: JSON.stringify({ data: [{ path }, 'utterance', false] }) });
      expect(response.status).toBeGreaterThanOrEqual(400);
      const body = (await response.json()) as { error: string; title: string };
      expect(body.title).toBe('Error');
      expect(body.error).toMatch(/not allowed|does not download URLs/);
    }
  });
});

describe('REST API', () => {
  it('should analyze multipart audio with inline embedding, file links and a spectrogram', async () => {
    const response = await request(built, '/api/v1/analyze?granularity=frame&embedding=true&save=true&spectrogram=true', {
      method: 'POST',
      body: analyzeForm(await readFile(SPEECH)),
    });
    const body = (await response.json()) as Record<string, any>;
    expect(response.status).toBe(200);
    expect(Object.keys(body.scores)).toHaveLength(9);
    expect(body.embedding).toHaveLength(body.frames.start_s.length);
    expect(body.embedding[0]).toHaveLength(32);
    expect(body.log.at(-1)).toMatch(/^total /);
    expect(body.spectrogram).toMatchObject({ bins: 80, frame_rate: 100 });
    expect(Buffer.from(body.spectrogram.data, 'base64').length).toBe(body.spectrogram.frames * 80);
    const download = await request(built, body.files.embedding_npy);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(readNpy(new Uint8Array(await download.arrayBuffer())).shape).toEqual([body.frames.start_s.length, 32]);
  });

  it('should save a frame embedding even without save=true, and link it instead of inlining it past maxInlineEmbeddingMB', async () => {
    const small = await build(model, undefined, 0.001); // 1 kB: 8 frames of D = 32
    const response = await request(small, '/api/v1/analyze?granularity=frame&embedding=true', { method: 'POST', body: await readFile(SPEECH) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    expect(body.embedding).toBeNull();
    expect(body.warnings).toEqual([{ code: 'E2V_WARN_EMBEDDING_NOT_INLINE', message: expect.stringMatching(/0\.001 MB.*embedding\.npy/) }]);
    const download = await request(small, body.files.embedding_npy);
    expect(readNpy(new Uint8Array(await download.arrayBuffer())).shape).toEqual([body.frames.start_s.length, 32]);
    const utterance = await request(small, '/api/v1/analyze?embedding=true', { method: 'POST', body: await readFile(SPEECH) });
    expect(await utterance.json()).toMatchObject({ embedding: expect.any(Array), files: null, warnings: [] });
  });

  it('should leave the embedding out of the response with inline_embedding=false and link its file', async () => {
    for (const granularity of ['frame', 'utterance']) {
      const response = await request(built, `/api/v1/analyze?granularity=${granularity}&embedding=true&inline_embedding=false`, {
        method: 'POST',
        body: await readFile(SPEECH),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, any>;
      expect(body).toMatchObject({ embedding: null, warnings: [] });
      const npy = readNpy(new Uint8Array(await (await request(built, body.files.embedding_npy)).arrayBuffer()));
      expect(npy.shape).toEqual(granularity === 'frame' ? [body.frames.start_s.length, 32] : [32]);
    }
  });

  it('should smooth frame scores over window_s seconds, record it, and refuse a window out of range', async () => {
    const analyze = async (query: string): Promise<Response> =>
      request(built, `/api/v1/analyze?granularity=frame&${query}`, { method: 'POST', body: analyzeForm(await readFile(SPEECH)) });
    const byDefault = (await (await analyze('')).json()) as Record<string, any>;
    const raw = (await (await analyze('window_s=0')).json()) as Record<string, any>;
    expect(byDefault.frames.window_s).toBe(1);
    expect(raw.frames.window_s).toBe(0);
    expect(raw.frames.scores).not.toEqual(byDefault.frames.scores);
    expect(raw.log.join('\n')).toMatch(/frame granularity: \d+ frames at 50 frames\/s, raw per-frame scores/);
    for (const bad of ['-1', '3601', 'wide']) {
      const response = await analyze(`window_s=${bad}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: 'E2V_ERR_HTTP_BAD_PARAM', message: expect.stringContaining("'window_s' must be a number in [0, 3600]") },
      });
    }
    const form = analyzeForm(await readFile(SPEECH));
    form.append('window_s', '0.5');
    const fromForm = (await (await request(built, '/api/v1/analyze?granularity=frame', { method: 'POST', body: form })).json()) as Record<string, any>;
    expect(fromForm.frames.window_s).toBe(0.5);
  });

  it('should give advice as notices: a clip under 1 s is unreliable', async () => {
    const clip = new Float32Array(8000).map((_, i) => 0.3 * Math.sin(i / 10));
    const body = (await (await request(built, '/api/v1/analyze', { method: 'POST', body: encodeWavPcm16(clip, 16000) })).json()) as Record<string, any>;
    expect(body.notices).toEqual([{ code: 'E2V_NOTICE_AUDIO_SHORT', message: expect.stringContaining('0.50 s long, under 1 s') }]);
    expect(body.warnings).toEqual([]);
    expect(body.log).toContain(`notice E2V_NOTICE_AUDIO_SHORT: ${body.notices[0].message}`);
    const speech = (await (await request(built, '/api/v1/analyze', { method: 'POST', body: await readFile(SPEECH) })).json()) as Record<string, any>;
    expect(speech.notices).toEqual([]);
  });

  it('should list every score in the log as the guide prints them, in model order', async () => {
    const body = (await (await request(built, '/api/v1/analyze', { method: 'POST', body: await readFile(SPEECH) })).json()) as Record<string, any>;
    const lines = Object.entries(body.scores as Record<string, number>).map(([key, score]) => `  ${key}: ${score.toFixed(3)}`);
    const at = (body.log as string[]).indexOf('scores:');
    expect(body.log.slice(at + 1, at + 10)).toEqual(lines);
    expect(lines[0]).toMatch(/^ {2}angry: \d\.\d{3}$/);
  });

  it('should analyze a raw body', async () => {
    const response = await request(built, '/api/v1/analyze', { method: 'POST', body: await readFile(SPEECH) });
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ granularity: 'utterance', frames: null, embedding: null, files: null });
  });

  it('should analyze a truncated file, with its audio warning in audio.warnings, warnings, the log and result.json', async () => {
    const whole = await readFile(SPEECH);
    const response = await request(built, '/api/v1/analyze?save=true', { method: 'POST', body: whole.subarray(0, Math.floor(whole.length / 2)) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { audio: { warnings: unknown[] }; warnings: unknown[]; log: string[]; files: { result_json: string } };
    const warning = {
      code: 'E2V_WARN_AUDIO_TRUNCATED',
      message: expect.stringMatching(/^The wav file is truncated: its data chunk declares \d+ bytes but the file holds \d+/),
    };
    expect(body.audio.warnings).toEqual([warning]);
    expect(body.warnings).toEqual([warning]);
    expect(body.log.filter((line) => line.startsWith('warning '))).toEqual([
      expect.stringMatching(/^warning E2V_WARN_AUDIO_TRUNCATED: The wav file is truncated/),
    ]);
    const saved = (await (await request(built, body.files.result_json)).json()) as { audio: { warnings: unknown[] } };
    expect(saved.audio.warnings).toEqual([warning]);
  });

  it('should answer bad input with typed JSON errors', async () => {
    const cases: [string, number, string][] = [
      ['bad-text.txt', 415, 'E2V_ERR_AUDIO_UNSUPPORTED'],
      ['bad-wav-truncated-header.wav', 400, 'E2V_ERR_AUDIO_CORRUPT'],
    ];
    for (const [file, status, code] of cases) {
      const response = await request(built, '/api/v1/analyze', { method: 'POST', body: analyzeForm(await readFile(new URL(file, BAD_AUDIO))) });
      expect(response.status, file).toBe(status);
      expect(await response.json()).toMatchObject({ error: { code } });
    }
    const short = await request(built, '/api/v1/analyze', { method: 'POST', body: encodeWavPcm16(new Float32Array(200), 16000) });
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ error: { code: 'E2V_ERR_INPUT_TOO_SHORT' } });
    const param = await request(built, '/api/v1/analyze?granularity=word', { method: 'POST', body: await readFile(SPEECH) });
    expect(await param.json()).toMatchObject({ error: { code: 'E2V_ERR_HTTP_BAD_PARAM' } });
    const missing = await request(built, '/api/v1/nothing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'E2V_ERR_HTTP_NOT_FOUND' } });
  });

  it('should say how to install a model when none is loaded', async () => {
    const health = await request(noModel, '/api/v1/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ready: false, install_command: 'pnpm e2v model pull emotion2vec_plus_large' });
    const analyze = await request(noModel, '/api/v1/analyze', { method: 'POST', body: await readFile(SPEECH) });
    expect(analyze.status).toBe(503);
    expect(((await analyze.json()) as { error: { message: string } }).error.message).toContain('pnpm e2v model pull emotion2vec_plus_large');
  });

  it('should describe every route in openapi.json and serve each of them', async () => {
    const doc = (await (await request(built, '/api/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of REST_ROUTES) {
      expect(doc.paths[route.path]?.[route.method], route.path).toBeDefined();
      if (route.method !== 'get' || route.path.includes('{')) continue;
      expect((await request(built, route.path)).status, route.path).toBe(200);
    }
    const models = (await (await request(built, '/api/v1/models')).json()) as { loaded: { labels: Record<string, string>[] } };
    expect(models.loaded.labels).toHaveLength(9);
    // the guide's names, and the checkpoint's own token next to them
    expect(models.loaded.labels[0]).toEqual({ key: 'angry', zh: '愤怒', en: 'Angry', emoji: '😠', token: '生气/angry' });
    expect(models.loaded.labels[8]).toEqual({ key: 'unknown', zh: '未知', en: 'Unknown', emoji: '❓', token: '<unk>' });
  });

  it('should list the known models, or say what is wrong with a broken models/manifest.json', async () => {
    const listed = (await (await request(built, '/api/v1/models')).json()) as { models: { id: string }[]; registry_error: unknown };
    expect(listed.models.map((m) => m.id)).toContain('emotion2vec_plus_large');
    expect(listed.registry_error).toBeNull();
    const broken = join(await mkdtemp(join(tmpdir(), 'e2v-registry-')), 'manifest.json');
    await writeFile(broken, '{ "schemaVersion": 1, "models": [');
    const app = await build(model, undefined, 8, broken);
    try {
      const response = await request(app, '/api/v1/models');
      expect(response.status).toBe(200);
      const body = (await response.json()) as { loaded: { name: string }; models: unknown[]; registry_error: { code: string; message: string } };
      expect(body.loaded.name).toBe(model.ready ? model.engine.info.name : '');
      expect(body.models).toEqual([]);
      expect(body.registry_error.code).toBe('E2V_ERR_PULL_REGISTRY');
      expect(body.registry_error.message).toContain(`The model registry ${broken} is not valid JSON`);
    } finally {
      app.events.close();
    }
  });

  it('should count requests, analyses and the queue in /metrics', async () => {
    const text = await (await request(built, '/metrics')).text();
    expect(text).toMatch(/e2v_http_requests_total\{method="POST",route="\/api\/v1\/analyze",status="200"\} \d+/);
    expect(text).toMatch(/e2v_analyses_total\{outcome="ok"\} \d+/);
    expect(text).toMatch(/e2v_analyses_total\{outcome="E2V_ERR_AUDIO_UNSUPPORTED"\} 1/);
    expect(text).toContain('e2v_queue_depth 0');
    expect(text).toContain('e2v_inference_seconds_bucket');
  });
});

describe('page and unsupported surface', () => {
  it('should serve the page with a strict content security policy, and nothing outside webui/', async () => {
    const page = await request(built, '/');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await request(built, '/static/../package.json')).status).toBe(404);
    expect((await request(built, '/static/%2e%2e/package.json')).status).toBe(404);
  });

  it('should not implement component_server, proxy= or custom_component', async () => {
    for (const path of [
      '/component_server',
      '/gradio_api/component_server',
      '/proxy=http://127.0.0.1:1/',
      '/gradio_api/proxy=http://127.0.0.1:1/',
      '/custom_component/x/y',
    ]) {
      expect((await request(built, path, { method: 'POST', body: '{}' })).status, path).toBe(404);
      expect((await request(built, path)).status, path).toBe(404);
    }
  });
});

describe('plugins', () => {
  const tagger = definePlugin({
    name: 'tagger',
    hooks: {
      beforeAnalyze: (event) => (event.input.name === 'refused.wav' ? { veto: 'refused by policy' } : undefined),
      onResult: (event) => ({ file: event.input.name, loud: event.result.confidence > 0.3 }),
    },
  });
  let host: PluginHost;
  let withPlugins: E2vApp;
  beforeAll(async () => {
    host = await createPluginHost({ plugins: [{ plugin: tagger, options: {} }], stateDir: await mkdtemp(join(tmpdir(), 'e2v-app-plugins-')) });
    withPlugins = await build(model, host);
  });
  afterAll(async () => {
    withPlugins.events.close();
    await host.close();
  });

  it('should add plugin outputs to REST results and to Gradio result.json files', async () => {
    const form = new FormData();
    form.append('audio', new Blob([await readFile(SPEECH)]), 'call.wav');
    const rest = (await (await request(withPlugins, '/api/v1/analyze', { method: 'POST', body: form })).json()) as {
      plugins: Record<string, unknown>;
      log: string[];
    };
    expect(rest.plugins.tagger).toMatchObject({ file: 'call.wav' });
    expect(rest.log.some((line) => line.startsWith('plugin tagger: '))).toBe(true);
    const gradio = await request(withPlugins, '/run/predict', {
      method: 'POST',
      body: JSON.stringify({ data: [{ path: join(EXAMPLES_DIR, 'example.wav') }, 'utterance', false] }),
    });
    const { data } = (await gradio.json()) as { data: { path: string }[] };
    expect(JSON.parse(await readFile(data[3]!.path, 'utf8'))).toMatchObject({ plugins: { tagger: { file: 'example.wav' } } });
  });

  it("should answer a vetoed analysis with 422 and the plugin's reason", async () => {
    const form = new FormData();
    form.append('audio', new Blob([await readFile(SPEECH)]), 'refused.wav');
    const response = await request(withPlugins, '/api/v1/analyze', { method: 'POST', body: form });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: { code: 'E2V_ERR_PLUGIN_VETO', message: 'Analysis refused by plugin tagger: refused by policy' } });
  });
});

describe('outputs that cannot be written', () => {
  let failing: E2vApp;
  let outputsDir: string;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-app-outputs-'));
    const store = await FileStore.open({ uploadsDir: join(dir, 'uploads'), outputsDir: join(dir, 'outputs'), examplesDir: EXAMPLES_DIR });
    outputsDir = store.folders.outputsDir;
    failing = createApp({
      model,
      store,
      limits: DEFAULT_LIMITS,
      logger: pino({ level: 'silent' }),
      host: '127.0.0.1',
      concurrency: 1,
      maxQueued: 4,
      maxInlineEmbeddingMB: 8,
      modelsDir: join(dir, 'models'),
      version: '0.0.0-test',
    });
    // a file where the outputs folder should be: every outputs write fails (ENOTDIR)
    await rm(outputsDir, { recursive: true });
    await writeFile(outputsDir, 'not a folder');
  });
  afterAll(() => failing.events.close());

  it('should return the REST result with a typed warning and no files, and report degraded storage until a write succeeds', async () => {
    const response = await request(failing, '/api/v1/analyze?save=true', { method: 'POST', body: await readFile(SPEECH) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { emotion: string; files: unknown; warnings: { code: string }[]; log: string[] };
    expect(Object.keys(body)).toContain('emotion');
    expect(body.files).toBeNull();
    expect(body.warnings).toEqual([{ code: 'E2V_WARN_OUTPUTS_NOT_SAVED', message: expect.stringContaining('not saved') }]);
    expect(body.log.some((line) => line.startsWith('warning E2V_WARN_OUTPUTS_NOT_SAVED'))).toBe(true);
    expect(body.log.at(-1)).toMatch(/^total /);
    const degraded = await request(failing, '/api/v1/health');
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', ready: true, storage: { outputs: 'failing', uploads: 'ok' } });

    await rm(outputsDir);
    await mkdir(outputsDir);
    const saved = (await (await request(failing, '/api/v1/analyze?save=true', { method: 'POST', body: await readFile(SPEECH) })).json()) as {
      files: unknown;
      warnings: unknown[];
    };
    expect(saved.files).not.toBeNull();
    expect(saved.warnings).toEqual([]);
    expect(await (await request(failing, '/api/v1/health')).json()).toMatchObject({ status: 'ready', storage: { outputs: 'ok', uploads: 'ok' } });
    await rm(outputsDir, { recursive: true });
    await writeFile(outputsDir, 'not a folder');
  });

  it('should answer a Gradio predict with null file outputs and the warning in the processing log', async () => {
    const response = await request(failing, '/run/predict', {
      method: 'POST',
      body: JSON.stringify({ data: [{ path: join(EXAMPLES_DIR, 'example.wav') }, 'utterance', true] }),
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: unknown[] };
    expect(data[0]).toMatch(/^## /);
    expect(data[2]).toContain('warning E2V_WARN_OUTPUTS_NOT_SAVED');
    expect(data[3]).toBeNull();
    expect(data[4]).toBeNull();
  });
});
