/**
 * Starting and stopping the server: load the model (or start without one and say why), open the
 * folders (uploads private to the server's user in `./.e2v/uploads`; removing what dead
 * processes left and what retention says), listen on 127.0.0.1:7860 by default within the
 * connection caps, and shut down gracefully (stop accepting, fail waiting analyses with 503, let
 * running ones finish up to a deadline, close the engine).
 * @module
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { removeStaleStaging, type EngineOptions } from '@e2v/engine';
import type { PluginHost } from '@e2v/plugins';
import pino, { type Logger } from 'pino';
import { createApp } from './app.js';
import { loadModelStatus, type ModelStatus } from './analysis/model-state.js';
import { EXAMPLES_DIR } from './examples.js';
import { ConnectionGuard } from './http/connection-guard.js';
import { resolveLimits, type RequestLimits } from './http/limits.js';
import { FileStore } from './storage/file-store.js';
import { INCOMING_PREFIX } from './storage/incoming-file.js';
import { Retention, type RetentionLimits } from './storage/retention.js';

/** Default retention of uploads: 24 hours, 2 GB. */
export const DEFAULT_UPLOADS_RETENTION: Readonly<RetentionLimits> = Object.freeze({ maxAgeMs: 24 * 3600_000, maxBytes: 2 * 1024 ** 3 });

/** How often Node checks the header and request timeouts of open connections. */
const CONNECTIONS_CHECK_MS = 1_000;

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Converted model folder; undefined starts the server without a model (it says why). */
  modelDir?: string | undefined;
  /** Bind address (default 127.0.0.1; anything not loopback exposes the server). */
  host?: string;
  /** Port (default 7860; 0 picks a free one). */
  port?: number;
  /**
   * Uploads go to `<dataDir>/uploads`, a folder only the server's user can open (mode 0700).
   * Default `./.e2v` (the working folder's e2v state, beside `.e2v/plugins`): servers started in
   * different folders never share uploads, and retention finds a restarted server's old ones.
   */
  dataDir?: string;
  /** Outputs folders go here (default `./outputs`). */
  outputsDir?: string;
  /** Where `e2v model pull` installs models, for `/api/v1/models` (default `./models`). */
  modelsDir?: string;
  /** Engine options (threads, variant, ...); `logger` is set by the server. */
  engine?: Omit<EngineOptions, 'logger'>;
  /** Request and connection limits (upload size, parts, bodies in flight, connections, streams; see {@link RequestLimits}). */
  limits?: Partial<RequestLimits>;
  /** Retention of the uploads folder; replaces the default ({@link DEFAULT_UPLOADS_RETENTION}); `{}` keeps every upload. */
  uploadsRetention?: RetentionLimits;
  /** Retention of the outputs folder (default `{}`: outputs are the user's, nothing is removed). */
  outputsRetention?: RetentionLimits;
  /**
   * Analyses run at once (default 2). The model runs one segment (at most `maxSegmentS`, 30 s)
   * at a time for all of them, in turn, so with 2 a short request waits for at most one segment
   * of a long one instead of all of it; each running analysis holds about a segment of audio.
   */
  concurrency?: number;
  /**
   * Largest frame embedding returned inline in a response, in MB (default 8: about 40 s of
   * audio at D = 1024). A frame embedding is always saved in the outputs folder; larger ones are
   * only there (REST: `embedding: null`, a link and the warning `E2V_WARN_EMBEDDING_NOT_INLINE`).
   */
  maxInlineEmbeddingMB?: number;
  /** Analyses that may wait before new ones are refused (default 16). */
  maxQueued?: number;
  /** A pino logger, or false for none (default: JSON lines on stdout). */
  logger?: Logger | false;
  /** Seconds running analyses get to finish at shutdown (default 30). */
  shutdownGraceS?: number;
  /** Heartbeat interval of event streams in ms (default 15000; tests shorten it). */
  heartbeatMs?: number;
  /** Plugins every analysis runs through (the caller creates and closes the host). */
  plugins?: PluginHost;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** The model's state. */
  model: ModelStatus;
  /** The server's folders (real paths). */
  folders: { uploadsDir: string; outputsDir: string; examplesDir: string };
  /** Graceful shutdown; resolves when everything is closed. Safe to call twice. */
  close(): Promise<void>;
}

/** Default {@link ServerOptions.dataDir}, relative to the working folder. */
const DEFAULT_DATA_DIR = '.e2v';

/** Default {@link ServerOptions.concurrency}. */
export const DEFAULT_CONCURRENCY = 2;
/** Default {@link ServerOptions.maxInlineEmbeddingMB}. */
export const DEFAULT_MAX_INLINE_EMBEDDING_MB = 8;

/** The e2v version the server reports: the `version` of this package's package.json. */
const SERVER_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Starts the server.
 * @example
 * const server = await startServer({ modelDir: 'models/emotion2vec_plus_large' });
 * console.log(`listening on ${server.url}`);
 * process.once('SIGTERM', () => void server.close());
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger === false ? pino({ level: 'silent' }) : (options.logger ?? pino({ name: 'e2v' }));
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const maxQueued = options.maxQueued ?? 16;
  const model = await loadModelStatus(options.modelDir === undefined ? undefined : resolve(options.modelDir), {
    ...options.engine,
    queueDepth: concurrency + 1,
    logger: logger.child({ component: 'engine' }),
  });
  if (model.ready) logger.info({ model: model.engine.info.name, variant: model.engine.info.variant, loadMs: model.engine.info.loadMs }, 'model loaded');
  else logger.warn({ reason: model.reason, install: model.installCommand }, 'starting without a model');
  const limits = resolveLimits(options.limits);
  const store = await FileStore.open({
    uploadsDir: join(resolve(options.dataDir ?? DEFAULT_DATA_DIR), 'uploads'),
    outputsDir: options.outputsDir ?? resolve('outputs'),
    examplesDir: EXAMPLES_DIR,
  });
  const { uploadsDir, outputsDir } = store.folders;
  const staged = await removeStaleStaging(outputsDir);
  if (staged.length > 0) logger.info({ removed: staged }, 'removed outputs staging folders of dead processes');
  const retentions = [
    new Retention({
      dir: uploadsDir,
      label: 'uploads',
      limits: options.uploadsRetention ?? DEFAULT_UPLOADS_RETENTION,
      inUse: (path) => store.inUse(path),
      logger,
      kind: (name) => (/^[0-9a-f]{64}$/.test(name) ? 'entry' : name.startsWith(INCOMING_PREFIX) ? 'debris' : undefined),
    }),
    new Retention({
      dir: outputsDir,
      label: 'outputs',
      limits: options.outputsRetention ?? {},
      inUse: (path) => store.inUse(path),
      logger,
      kind: (name) => (/^outputs_\d{8}_\d{6}(?:_\d+)?$/.test(name) ? 'entry' : undefined),
    }),
  ];
  for (const retention of retentions) {
    await retention.sweep().catch((error: unknown) => logger.warn({ err: error }, 'retention sweep failed'));
    retention.start();
  }
  const { app, queue, events, streams } = createApp({
    model,
    store,
    limits,
    logger,
    host,
    concurrency,
    maxQueued,
    maxInlineEmbeddingMB: options.maxInlineEmbeddingMB ?? DEFAULT_MAX_INLINE_EMBEDDING_MB,
    modelsDir: options.modelsDir ?? resolve('models'),
    version: SERVER_VERSION,
    heartbeatMs: options.heartbeatMs,
    ...(options.plugins === undefined ? {} : { plugins: options.plugins }),
  });
  const guard = new ConnectionGuard(limits);
  const listener = guard.guard(getRequestListener(app.fetch, { hostname: host }));
  const server = createServer({ headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: CONNECTIONS_CHECK_MS }, listener);
  // `Expect: 100-continue` requests go to the app too; the body reader sends `100 Continue`
  // when it starts reading, so a refused request never sends its body.
  server.on('checkContinue', listener);
  guard.attach(server);
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7860, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    { url, limits: { maxConnections: limits.maxConnections, maxStreams: limits.maxStreams, maxConcurrentUploads: limits.maxConcurrentUploads } },
    'e2v server listening',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      logger.info({}, 'shutting down');
      const stopped = new Promise<void>((done) => server.close(() => done()));
      queue.close('The server is shutting down');
      const deadline = Date.now() + (options.shutdownGraceS ?? 30) * 1000;
      while (queue.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      events.close();
      streams.endAll();
      for (const retention of retentions) retention.stop();
      // Ended streams and finished responses flush, then their sockets close; anything still
      // open after a moment is cut.
      const cut = setTimeout(() => server.closeAllConnections(), 2000);
      server.closeIdleConnections();
      await stopped;
      clearTimeout(cut);
      if (model.ready) await model.engine.close();
      logger.info({}, 'stopped');
    })());
  return { url, port, model, folders: store.folders, close };
}
