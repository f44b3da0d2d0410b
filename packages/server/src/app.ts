/**
 * The Hono app: security middleware, request logs, the REST API, the Gradio API and the page,
 * wired to one analysis service. {@link createApp} builds it without a socket (tests use
 * `app.request()`); server.ts listens.
 * @module
 */
import type { PluginHost } from '@e2v/plugins';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { ModelStatus } from './analysis/model-state.js';
import { AnalysisQueue } from './analysis/queue.js';
import { AnalysisService } from './analysis/service.js';
import { GradioEvents } from './gradio/events.js';
import { gradioFunctions } from './gradio/functions.js';
import { mountGradio } from './gradio/routes.js';
import { BodyReader } from './http/body.js';
import type { RequestLimits } from './http/limits.js';
import { SseStreams } from './http/sse.js';
import { requestLog } from './http/request-log.js';
import { ServerMetrics } from './metrics.js';
import { errorResponse, restRoutes } from './rest/routes.js';
import { localOriginGuard } from './security/local-origin.js';
import { HttpError } from './errors.js';
import type { FileStore } from './storage/file-store.js';
import { webUiRoutes } from './webui.js';

/** Everything the app is built from. */
export interface AppParts {
  model: ModelStatus;
  store: FileStore;
  limits: RequestLimits;
  logger: Logger;
  /** The address the server listens on (decides the cross-origin guard). */
  host: string;
  /** Analyses run at once. */
  concurrency: number;
  /** Analyses that may wait. */
  maxQueued: number;
  /** Largest frame embedding returned inline (larger ones: in the outputs folder only). */
  maxInlineEmbeddingMB: number;
  modelsDir: string;
  /** The registry of known models (default the repository's `models/manifest.json`). */
  registryFile?: string;
  version: string;
  /** Heartbeat interval of event streams (tests shorten it). */
  heartbeatMs?: number;
  /** Plugins every analysis runs through. */
  plugins?: PluginHost;
}

/** The app and the parts the server shuts down. */
export interface E2vApp {
  app: Hono;
  queue: AnalysisQueue;
  events: GradioEvents;
  streams: SseStreams;
  metrics: ServerMetrics;
}

/** Builds the app. */
export function createApp(parts: AppParts): E2vApp {
  const queue = new AnalysisQueue(parts.concurrency, parts.maxQueued);
  const metrics = new ServerMetrics(
    () => queue.depth,
    () => queue.active,
  );
  const service = new AnalysisService(parts.model, queue, parts.store, metrics, parts.plugins, parts.maxInlineEmbeddingMB);
  const streams = new SseStreams(parts.heartbeatMs, parts.limits);
  const bodies = new BodyReader(parts.limits, parts.store);
  const events = new GradioEvents(streams, (rank) => queue.eta(rank));
  const app = new Hono({ strict: false });
  app.use('*', requestLog(parts.logger, metrics));
  app.use('*', localOriginGuard(parts.host));
  app.onError((error, c) => errorResponse(c, error));
  app.route(
    '/',
    restRoutes({
      model: parts.model,
      service,
      queue,
      store: parts.store,
      metrics,
      bodies,
      modelsDir: parts.modelsDir,
      version: parts.version,
      ...(parts.registryFile === undefined ? {} : { registryFile: parts.registryFile }),
      ...(parts.plugins === undefined ? {} : { plugins: parts.plugins }),
    }),
  );
  mountGradio(app, { store: parts.store, events, functions: gradioFunctions(service, parts.store, parts.limits.maxUploadBytes), queue, bodies, streams });
  app.route('/', webUiRoutes());
  app.notFound((c) =>
    c.req.path.startsWith('/api/v1/')
      ? errorResponse(c, new HttpError(404, 'E2V_ERR_HTTP_NOT_FOUND', 'No such REST route (see /api/v1/openapi.json)'))
      : c.json({ detail: 'Not Found' }, 404),
  );
  return { app, queue, events, streams, metrics };
}
