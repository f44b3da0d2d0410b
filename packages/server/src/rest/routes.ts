/**
 * The REST API under `/api/v1` (and `/metrics`): analyze, health, models, examples, saved-file
 * downloads, the OpenAPI document. Errors are `{ error: { code, message } }` with the status of
 * their HttpError (400, 403, 404, 413, 415, 429 + Retry-After, 503, 507). `analyze` refuses what
 * it cannot take (too large, no model, queue full) before reading the body, and streams the audio
 * to a temporary file that is deleted after the analysis.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { labelNames, listModels, loadRegistry, RegistryError, type ListedModel } from '@e2v/core';
import type { Embedding } from '@e2v/engine';
import type { PluginHost } from '@e2v/plugins';
import { Hono, type Context } from 'hono';
import { requireEngine, type ModelStatus } from '../analysis/model-state.js';
import type { AnalysisQueue } from '../analysis/queue.js';
import type { AnalysisOutcome, AnalysisService } from '../analysis/service.js';
import { HttpError } from '../errors.js';
import { examplePath, exampleRoute, EXAMPLES } from '../examples.js';
import { checkDeclaredLength, isMultipart, type BodyReader } from '../http/body.js';
import { recordFailure } from '../http/failure.js';
import { nodeRequest } from '../http/node-request.js';
import { serveFile } from '../http/serve-file.js';
import type { ServerMetrics } from '../metrics.js';
import type { FileStore } from '../storage/file-store.js';
import type { IncomingFile } from '../storage/incoming-file.js';
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
  /** Reads request bodies within the server's limits. */
  bodies: BodyReader;
  /** Where `e2v model pull` installs models (for `/api/v1/models`). */
  modelsDir: string;
  /** The registry of known models (default the repository's `models/manifest.json`). */
  registryFile?: string;
  version: string;
  /** The plugin host, whose per-plugin status (crashes, restarts) `/api/v1/health` reports. */
  plugins?: PluginHost;
}

/** The JSON error response of an error (remembered for the request's log line). */
export function errorResponse(c: Context, error: unknown): Response {
  const http = recordFailure(c, error);
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
        : {
            result_json: fileLink(store, files.resultJson),
            embedding_npy: files.embeddingNpy === null ? null : fileLink(store, files.embeddingNpy),
            processed_audio: fileLink(store, files.processedAudio),
          },
    log: outcome.log,
    notices: outcome.notices,
    warnings: outcome.warnings,
    ...(outcome.spectrogram !== null ? { spectrogram: outcome.spectrogram } : {}),
  };
}

/** The known models of `/api/v1/models`, or none and what is wrong with the registry. */
interface KnownModels {
  models: ListedModel[];
  /** Why the registry could not be read (`E2V_ERR_PULL_REGISTRY`: missing, not JSON, invalid), or null. */
  error: { code: string; message: string } | null;
}

/** Lists the registry's models; a broken registry gives none and says why instead of failing the request. */
async function knownModels(deps: RestRouteDeps): Promise<KnownModels> {
  try {
    return { models: await listModels(deps.modelsDir, loadRegistry(deps.registryFile)), error: null };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return { models: [], error: { code: error.code, message: error.message } };
  }
}

/** Multipart framing and form fields an analyze request may add to its audio. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** The audio of an analyze request (multipart field `audio`, or the raw body), in a temporary file. */
interface AnalyzeAudio {
  file: IncomingFile;
  name: string;
  fields: Record<string, string>;
}

/** Reads the audio of an analyze request; other files of a multipart body are deleted at once. */
async function readAudio(c: Context, deps: RestRouteDeps): Promise<AnalyzeAudio> {
  if (isMultipart(c.req.raw)) {
    const body = await deps.bodies.multipart(c.req.raw, nodeRequest(c));
    const audio = body.files.find((file) => file.field === 'audio');
    await Promise.all(body.files.filter((file) => file !== audio).map((file) => deps.store.discard(file)));
    if (audio === undefined)
      throw new HttpError(400, 'E2V_ERR_HTTP_NO_AUDIO', 'No audio: send the file in the multipart field "audio" (or as the raw request body)');
    return { file: audio, name: audio.filename, fields: body.fields };
  }
  const file = await deps.bodies.file(c.req.raw, nodeRequest(c));
  if (file.size > 0) return { file, name: 'upload', fields: {} };
  await deps.store.discard(file);
  throw new HttpError(400, 'E2V_ERR_HTTP_NO_AUDIO', 'No audio: the request body is empty');
}

/** The `/api/v1` routes and `/metrics`. */
export function restRoutes(deps: RestRouteDeps): Hono {
  const api = new Hono({ strict: false });
  api.onError((error, c) => errorResponse(c, error));

  api.post('/api/v1/analyze', async (c) => {
    // Everything that refuses the request is checked before its body is read.
    checkDeclaredLength(c.req.raw, deps.bodies.limits.maxUploadBytes + (isMultipart(c.req.raw) ? MULTIPART_OVERHEAD_BYTES : 0));
    requireEngine(deps.model);
    const reservation = deps.queue.reserve();
    let audio: AnalyzeAudio;
    try {
      audio = await readAudio(c, deps);
    } catch (error) {
      reservation.release();
      throw error;
    }
    const unpin = deps.store.pin(audio.file.path);
    try {
      const params = parseParams(ANALYZE_QUERY, { ...c.req.query(), ...audio.fields });
      const outcome = await deps.service.analyze({
        audio: { path: audio.file.path, name: audio.name },
        granularity: params.granularity,
        embedding: params.embedding,
        inlineEmbedding: params.inline_embedding,
        windowS: params.window_s,
        save: params.save,
        spectrogram: params.spectrogram,
        signal: c.req.raw.signal,
        reservation,
      });
      return c.json(analyzeResponse(outcome, deps.store));
    } finally {
      reservation.release();
      unpin();
      await deps.store.discard(audio.file);
    }
  });

  api.get('/api/v1/health', (c) => {
    const queue = { waiting: deps.queue.depth, running: deps.queue.active };
    const plugins = deps.plugins?.status() ?? [];
    const storage = deps.store.health.snapshot;
    if (!deps.model.ready)
      return c.json({ status: 'not_ready', ready: false, reason: deps.model.reason, install_command: deps.model.installCommand, queue, storage, plugins }, 503);
    const { name, variant } = deps.model.engine.info;
    // a failing uploads / outputs folder, or a plugin restarting after a crash: analyses go on
    const degraded = !deps.store.health.ok || plugins.some((p) => p.state === 'restarting');
    return c.json({ status: degraded ? 'degraded' : 'ready', ready: true, model: { name, variant }, queue, storage, plugins });
  });

  api.get('/api/v1/models', async (c) => {
    const known = await knownModels(deps);
    const loaded = deps.model.ready ? deps.model.engine.info : null;
    return c.json({
      loaded:
        loaded === null
          ? null
          : {
              name: loaded.name,
              variant: loaded.variant,
              embedding_dim: loaded.embeddingDim,
              frame_rate: loaded.frameRate,
              random: loaded.random,
              labels: loaded.labels.map((l) => ({ key: l.key, ...labelNames(l.key, l.zh), token: l.token })),
            },
      models: known.models.map((m) => ({ id: m.id, description: m.description, installed: m.installed, install_command: `pnpm e2v model pull ${m.id}` })),
      registry_error: known.error,
    });
  });

  api.get('/api/v1/examples', (c) =>
    c.json({ examples: EXAMPLES.map((e, index) => ({ index, name: e.file, url: exampleRoute(index), granularity: e.granularity, embedding: e.embedding })) }),
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
