/**
 * The Gradio HTTP API (docs/gradio-api.md): `/config`, and under `/gradio_api`
 * and at the root (Gradio 4 layout): info, upload, file=, queue/join + queue/data, call,
 * heartbeat, run / api direct calls (JSON, or for predict a form: the guide's `curl -F
 * "audio=@clip.wav" .../api/predict`), cancel, reset, queue/status. Nothing else of Gradio's
 * surface exists (no component_server, proxy=, custom_component). Uploads stream to disk; event
 * streams are opened within the stream caps (refusals are `{detail}` with Retry-After).
 * @module
 */
import { Hono, type Context } from 'hono';
import type { AnalysisQueue, Reservation } from '../analysis/queue.js';
import { HttpError, RETRY_AFTER_S } from '../errors.js';
import { examplePath, EXAMPLES } from '../examples.js';
import { isMultipart, type BodyReader, type MultipartBody } from '../http/body.js';
import { clientAddress, nodeRequest } from '../http/node-request.js';
import { recordFailure } from '../http/failure.js';
import { rootUrl } from '../http/root-url.js';
import { serveFile } from '../http/serve-file.js';
import type { SseStream, SseStreams, StreamOwner } from '../http/sse.js';
import type { FileStore } from '../storage/file-store.js';
import { gradioApiInfo, gradioConfig, type AppDescription } from './app-config.js';
import { GRADIO_API_PREFIX, LOAD_EXAMPLE_FN, PREDICT_FN } from './constants.js';
import { errorPayload, type GradioEvents } from './events.js';
import { GradioValidationError, type GradioFunction, type PreparedCall } from './functions.js';
import { predictFormData } from './predict-form.js';

/** What the Gradio routes need. */
export interface GradioRouteDeps {
  store: FileStore;
  events: GradioEvents;
  functions: ReadonlyMap<number, GradioFunction>;
  queue: AnalysisQueue;
  /** Reads request bodies within the server's limits. */
  bodies: BodyReader;
  /** Opens the event streams (and ends them at shutdown). */
  streams: SseStreams;
}

const FN_BY_API_NAME: Readonly<Record<string, number>> = { predict: PREDICT_FN, load_example: LOAD_EXAMPLE_FN };

function describeApp(c: Context, deps: GradioRouteDeps): AppDescription {
  return {
    root: rootUrl(c.req.raw),
    examples: EXAMPLES.map((example) => ({ example, path: examplePath(deps.store.folders.examplesDir, example) })),
    maxFileSize: deps.bodies.limits.maxUploadBytes,
  };
}

function apiName(raw: string): string {
  return raw.replace(/^\/+|\/+$/g, '');
}

/** `{ data: [...] }` of a call body. */
function callData(body: unknown): unknown[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new HttpError(422, 'E2V_ERR_HTTP_INVALID_INPUT', 'The request body must be a JSON object with a "data" list');
  return data;
}

async function prepare(deps: GradioRouteDeps, fnIndex: number, data: unknown[]): Promise<PreparedCall> {
  const fn = deps.functions.get(fnIndex);
  if (fn === undefined) throw new HttpError(422, 'E2V_ERR_HTTP_INVALID_INPUT', `fn_index ${fnIndex} does not exist`);
  return fn(data);
}

/** A queue place for a joining call, or undefined when the queue is full (or closing). */
function reserve(queue: AnalysisQueue): Reservation | undefined {
  try {
    return queue.reserve();
  } catch {
    return undefined;
  }
}

/** Gradio's JSON error bodies: 422 `detail` lists for validation, `{detail}` otherwise. */
function detailResponse(c: Context, error: unknown): Response {
  const http = recordFailure(c, error);
  if (http instanceof GradioValidationError) return c.json({ detail: http.detail }, 422);
  return c.json({ detail: http.message }, http.status, http.headers);
}

/**
 * Reads a multipart body, lets `use` keep the files it wants, and deletes the others (and every
 * file when `use` fails): nothing of a form is left in the uploads folder but what was kept.
 */
async function withForm<T>(c: Context, deps: GradioRouteDeps, use: (form: MultipartBody) => Promise<T>): Promise<T> {
  const form = await deps.bodies.multipart(c.req.raw, nodeRequest(c));
  try {
    return await use(form);
  } finally {
    // kept files are gone from their temporary names already
    await Promise.all(form.files.map((file) => deps.store.discard(file)));
  }
}

/**
 * The function and inputs of a direct call: a JSON body `{data, fn_index?}`, or for `predict` a
 * form (see ./predict-form.ts).
 * @param named the function the route names, if any
 * @returns undefined when neither the body nor the route names a function
 */
async function directCall(c: Context, deps: GradioRouteDeps, named: number | undefined): Promise<{ fnIndex: number; data: unknown[] } | undefined> {
  if (isMultipart(c.req.raw)) {
    if (named === undefined) return undefined;
    if (named !== PREDICT_FN) throw new HttpError(400, 'E2V_ERR_HTTP_BAD_INPUT', 'Only /predict takes a form; send a JSON body {"data": [...]}');
    return { fnIndex: PREDICT_FN, data: await withForm(c, deps, (form) => predictFormData(form, deps.store)) };
  }
  const body = (await deps.bodies.json(c.req.raw, nodeRequest(c))) as Record<string, unknown> | null;
  const fnIndex = typeof body?.fn_index === 'number' ? body.fn_index : named;
  return fnIndex === undefined ? undefined : { fnIndex, data: callData(body) };
}

/** Opens an event stream for the request within the caps; the refusal response when over them. */
function openStream(c: Context, deps: GradioRouteDeps, heartbeat: string, heartbeatOf?: string): SseStream | Response {
  const owner: StreamOwner = { client: clientAddress(c), ...(heartbeatOf === undefined ? {} : { heartbeatOf }) };
  try {
    return deps.streams.create(heartbeat, undefined, owner);
  } catch (error) {
    return detailResponse(c, error);
  }
}

/** The routes, mounted under the prefix and at the root by {@link mountGradio}. */
function gradioApi(deps: GradioRouteDeps): Hono {
  const api = new Hono({ strict: false });

  api.get('/info', (c) => c.json(gradioApiInfo(describeApp(c, deps), c.req.query('all_endpoints') === 'true')));

  api.post('/upload', async (c) => {
    if (!isMultipart(c.req.raw)) return c.json({ detail: 'Invalid content type.' }, 400);
    try {
      return await withForm(c, deps, async (form) => {
        const files = form.files.filter((file) => file.field === 'files');
        if (files.length === 0) return c.json({ detail: 'No files were uploaded (multipart parts named "files").' }, 400);
        const paths: string[] = [];
        for (const file of files) paths.push(await deps.store.keep(file, file.filename));
        return c.json(paths);
      });
    } catch (error) {
      const http = recordFailure(c, error);
      if (http.status === 413) return c.text(http.message, 413);
      return c.json({ detail: http.message }, http.status, http.headers);
    }
  });

  api.post('/queue/join', async (c) => {
    try {
      const body = (await deps.bodies.json(c.req.raw, nodeRequest(c))) as Record<string, unknown> | null;
      const session = body?.session_hash;
      if (typeof session !== 'string' || session === '') return c.json({ detail: 'Session hash not found.' }, 400);
      const fnIndex = body?.fn_index;
      if (typeof fnIndex !== 'number' || !deps.functions.has(fnIndex)) return c.json({ detail: `Invalid fn_index: ${JSON.stringify(fnIndex)}` }, 400);
      const call = await prepare(deps, fnIndex, callData(body));
      const reservation = reserve(deps.queue);
      if (reservation === undefined) return c.json({ detail: 'Queue is full.' }, 503, { 'Retry-After': String(RETRY_AFTER_S) });
      return c.json({ event_id: deps.events.join(session, call, rootUrl(c.req.raw), true, reservation) });
    } catch (error) {
      return detailResponse(c, error);
    }
  });

  api.get('/queue/data', (c) => {
    try {
      return deps.events.openStream(c.req.query('session_hash') ?? '', { client: clientAddress(c) });
    } catch (error) {
      return detailResponse(c, error);
    }
  });

  // rank_eta: when a job joining now would have its result
  api.get('/queue/status', (c) =>
    c.json({ msg: 'estimation', event_id: null, rank: null, queue_size: deps.queue.depth + deps.queue.active, rank_eta: deps.queue.eta(deps.queue.depth) }),
  );

  api.post('/call/:api{.+}', async (c) => {
    const fnIndex = FN_BY_API_NAME[apiName(c.req.param('api'))];
    if (fnIndex === undefined) return c.json({ detail: 'Not Found' }, 404);
    try {
      const body = (await deps.bodies.json(c.req.raw, nodeRequest(c))) as Record<string, unknown> | null;
      const call = await prepare(deps, fnIndex, callData(body));
      const session = typeof body?.session_hash === 'string' && body.session_hash !== '' ? body.session_hash : `call-${crypto.randomUUID()}`;
      const reservation = reserve(deps.queue);
      if (reservation === undefined) return c.json({ detail: 'Queue is full.' }, 503, { 'Retry-After': String(RETRY_AFTER_S) });
      return c.json({ event_id: deps.events.join(session, call, rootUrl(c.req.raw), false, reservation) });
    } catch (error) {
      return detailResponse(c, error);
    }
  });

  api.get('/call/:api/:event_id', (c) => {
    const stream = openStream(c, deps, 'event: heartbeat\ndata: null\n\n');
    if (stream instanceof Response) return stream;
    const outcome = deps.events.outcomeOf(c.req.param('event_id'));
    if (outcome === undefined) {
      stream.write(`event: error\ndata: ${JSON.stringify('Event not found.')}\n\n`);
      stream.end();
      return stream.response;
    }
    void outcome.then((result) => {
      if (result.ok === true) stream.write(`event: complete\ndata: ${JSON.stringify(result.data)}\n\n`);
      else stream.write(`event: error\ndata: ${JSON.stringify(result.ok === false ? result.message : 'Cancelled.')}\n\n`);
      stream.end();
    });
    return stream.response;
  });

  api.get('/heartbeat/:session', (c) => {
    const stream = openStream(c, deps, 'data: ALIVE\n\n', c.req.param('session'));
    if (stream instanceof Response) return stream;
    stream.write('data: ALIVE\n\n');
    return stream.response;
  });

  api.post('/cancel', async (c) => {
    const body = (await deps.bodies.json(c.req.raw, nodeRequest(c)).catch(() => null)) as Record<string, unknown> | null;
    if (typeof body?.event_id === 'string') deps.events.cancel(body.event_id);
    return c.json({ success: true });
  });

  api.post('/reset', (c) => c.json({ success: true }));

  const direct = async (c: Context): Promise<Response> => {
    const named = FN_BY_API_NAME[apiName(c.req.param('api') ?? '')];
    try {
      const call = await directCall(c, deps, named);
      if (call === undefined) return c.json({ detail: 'Not Found' }, 404);
      const started = performance.now();
      const data = await (await prepare(deps, call.fnIndex, call.data))({ root: rootUrl(c.req.raw), signal: c.req.raw.signal });
      const duration = (performance.now() - started) / 1000;
      return c.json({ data, is_generating: false, duration, average_duration: duration, render_config: null, changed_state_ids: [] });
    } catch (error) {
      const http = recordFailure(c, error);
      return c.json(errorPayload(http.message), http.status, http.headers);
    }
  };
  api.post('/run/:api', direct);
  api.post('/api/:api', direct);

  api.on(['GET', 'HEAD'], '/file/*', (c) => fileResponse(c, deps, c.req.path.slice(c.req.path.indexOf('/file/') + '/file'.length)));
  return api;
}

/** Serves `<prefix>/file=<path>` and `/file/<path>`: only files the server owns, else 403. */
async function fileResponse(c: Context, deps: GradioRouteDeps, rawPath: string): Promise<Response> {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return c.json({ detail: 'Malformed path.' }, 400);
  }
  try {
    return await serveFile(await deps.store.resolveOwned(path), c.req.raw);
  } catch (error) {
    const http = recordFailure(c, error);
    return c.json({ detail: http.message }, http.status);
  }
}

const FILE_EQUALS = /^(?:\/gradio_api)?\/file=(.*)$/s;

/**
 * Mounts the Gradio API on `app`: `/config` at the root, the rest under `/gradio_api` and at
 * the root.
 */
export function mountGradio(app: Hono, deps: GradioRouteDeps): void {
  // `file=<path>` is one path segment with the path glued on; match it on the raw URL path so
  // that the client's encoding reaches the checks exactly once.
  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    const rawPath = new URL(c.req.url).pathname;
    const match = FILE_EQUALS.exec(rawPath);
    if (match === null) return next();
    return fileResponse(c, deps, match[1]!);
  });
  app.get('/config', (c) => c.json(gradioConfig(describeApp(c, deps))));
  const api = gradioApi(deps);
  app.route(GRADIO_API_PREFIX, api);
  app.route('/', api);
}
