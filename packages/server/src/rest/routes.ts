/**
 * The REST API under `/api/v1` (and `/metrics`): analyze, health, models, examples, saved-file
 * downloads, the OpenAPI document. Errors are `{ error: { code, message } }` with the status of
 * their HttpError (400, 403, 404, 413, 415, 429 + Retry-After, 503).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { listModels } from '@e2v/convert';
import { labelEmoji, labelZh, type Embedding } from '@e2v/engine';
import type { PluginHost } from '@e2v/plugins';
import { Hono, type Context } from 'hono';
import type { ModelStatus } from '../analysis/model-state.js';
import type { AnalysisQueue } from '../analysis/queue.js';
import type { AnalysisOutcome, AnalysisService } from '../analysis/service.js';
import { HttpError, toHttpError } from '../errors.js';
import { examplePath, EXAMPLES } from '../examples.js';
import { isMultipart, readMultipart, readRawBody } from '../http/body.js';
import type { RequestLimits } from '../http/limits.js';
import { serveFile } from '../http/serve-file.js';
import type { ServerMetrics } from '../metrics.js';
import type { FileStore } from '../storage/file-store.js';
import { openApiDocument } from './openapi.js';
import { parseParams } from './params.js';
import { ANALYZE_QUERY } from './spec.js';

/** What the REST routes need. */
export interface RestRouteDeps {
  model: ModelStatus;
  service: AnalysisService;
  queue: AnalysisQueue;
  store: FileStore;
  metrics: ServerMetrics;
  limits: RequestLimits;
  /** Where `e2v model pull` installs models (for `/api/v1/models`). */
  modelsDir: string;
  version: string;
  /** The plugin host, whose per-plugin status (crashes, restarts) `/api/v1/health` reports. */
  plugins?: PluginHost;
}

/** The JSON error response of an error. */
export function errorResponse(c: Context, error: unknown): Response {
  const http = toHttpError(error);
  return c.json({ error: { code: http.code, message: http.message } }, http.status, http.headers);
}

function embeddingJson(embedding: Embedding | null): number[] | number[][] | null {
  if (embedding === null) return null;
  const values = Array.from(embedding.data);
  if (embedding.shape.length === 1) return values;
  const [rows, cols] = embedding.shape;
  return Array.from({ length: rows }, (_, r) => values.slice(r * cols, (r + 1) * cols));
}

function fileLink(store: FileStore, path: string): string {
  return `/api/v1/outputs/${store.outputRelative(path).split('/').map(encodeURIComponent).join('/')}`;
}

function analyzeResponse(outcome: AnalysisOutcome, store: FileStore): Record<string, unknown> {
  const { files } = outcome;
  return {
    ...outcome.result,
    embedding: embeddingJson(outcome.embedding),
    files:
      files === null
        ? null
        : { result_json: fileLink(store, files.resultJson), embedding_npy: files.embeddingNpy === null ? null : fileLink(store, files.embeddingNpy), processed_audio: fileLink(store, files.processedAudio) },
    log: outcome.log,
    ...(outcome.spectrogram !== null ? { spectrogram: outcome.spectrogram } : {}),
  };
}

/** Reads the audio of an analyze request: multipart field `audio`, or the raw body. */
async function readAudio(c: Context, limits: RequestLimits): Promise<{ bytes: Uint8Array; name: string; fields: Record<string, string> }> {
  if (isMultipart(c.req.raw)) {
    const body = await readMultipart(c.req.raw, limits);
    const audio = body.files.find((file) => file.field === 'audio');
    if (audio === undefined) throw new HttpError(400, 'E2V_ERR_HTTP_NO_AUDIO', 'No audio: send the file in the multipart field "audio" (or as the raw request body)');
    return { bytes: audio.bytes, name: audio.filename, fields: body.fields };
  }
  const bytes = await readRawBody(c.req.raw, limits.maxUploadBytes);
  if (bytes.byteLength === 0) throw new HttpError(400, 'E2V_ERR_HTTP_NO_AUDIO', 'No audio: the request body is empty');
  return { bytes, name: 'upload', fields: {} };
}

/** The `/api/v1` routes and `/metrics`. */
export function restRoutes(deps: RestRouteDeps): Hono {
  const api = new Hono({ strict: false });
  api.onError((error, c) => errorResponse(c, error));

  api.post('/api/v1/analyze', async (c) => {
    const { bytes, name, fields } = await readAudio(c, deps.limits);
    const params = parseParams(ANALYZE_QUERY, { ...c.req.query(), ...fields });
    const outcome = await deps.service.analyze({ audio: { bytes, name }, granularity: params.granularity, embedding: params.embedding, save: params.save, spectrogram: params.spectrogram, signal: c.req.raw.signal });
    return c.json(analyzeResponse(outcome, deps.store));
  });

  api.get('/api/v1/health', (c) => {
    const queue = { waiting: deps.queue.depth, running: deps.queue.active };
    const plugins = deps.plugins?.status() ?? [];
    if (!deps.model.ready) return c.json({ status: 'not_ready', ready: false, reason: deps.model.reason, install_command: deps.model.installCommand, queue, plugins }, 503);
    const { name, variant } = deps.model.engine.info;
    // a plugin restarting after a crash: analyses go on, without that plugin's output
    const status = plugins.some((p) => p.state === 'restarting') ? 'degraded' : 'ready';
    return c.json({ status, ready: true, model: { name, variant }, queue, plugins });
  });

  api.get('/api/v1/models', async (c) => {
    const known = await listModels(deps.modelsDir).catch(() => []);
    const loaded = deps.model.ready ? deps.model.engine.info : null;
    return c.json({
      loaded:
        loaded === null
          ? null
          : {
              name: loaded.name, variant: loaded.variant, embedding_dim: loaded.embeddingDim, frame_rate: loaded.frameRate, random: loaded.random,
              labels: loaded.labels.map((l) => ({ key: l.key, zh: labelZh(l.key, l.zh), emoji: labelEmoji(l.key) })),
            },
      models: known.map((m) => ({ id: m.id, description: m.description, installed: m.installed, install_command: `pnpm e2v model pull ${m.id}` })),
    });
  });

  api.get('/api/v1/examples', (c) =>
    c.json({ examples: EXAMPLES.map((e, index) => ({ index, name: e.file, url: `/api/v1/examples/${index}`, granularity: e.granularity, embedding: e.embedding })) }),
  );

  api.get('/api/v1/examples/:index', async (c) => {
    const example = EXAMPLES[Number(c.req.param('index'))];
    if (example === undefined || !/^\d+$/.test(c.req.param('index'))) throw new HttpError(404, 'E2V_ERR_HTTP_NOT_FOUND', 'No such example');
    const path = examplePath(deps.store.folders.examplesDir, example);
    return new Response(await readFile(path), { headers: { 'Content-Type': 'audio/wav', 'X-Content-Type-Options': 'nosniff' } });
  });

  api.on(['GET', 'HEAD'], '/api/v1/outputs/*', async (c) => {
    let relative: string;
    try {
      relative = decodeURIComponent(new URL(c.req.url).pathname.slice('/api/v1/outputs/'.length));
    } catch {
      throw new HttpError(400, 'E2V_ERR_HTTP_BAD_PARAM', 'Malformed path');
    }
    return serveFile(await deps.store.resolveOutput(relative), c.req.raw);
  });

  api.get('/api/v1/openapi.json', (c) => c.json(openApiDocument(deps.version)));

  api.get('/metrics', async (c) => c.text(await deps.metrics.render(), 200, { 'Content-Type': deps.metrics.registry.contentType }));

  return api;
}
