/**
 * Helpers of the server end-to-end tests: a server on a loopback port with its folders in a fresh
 * temporary folder, raw HTTP requests (no URL normalisation, any Host header), server-sent-event
 * parsing and multipart uploads.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer, type ServerOptions } from '@e2v/server';

/** The golden inputs (16 kHz mono speech, 44.1 kHz stereo, 8 kHz, ...). */
export const GOLDEN_INPUTS_DIR = fileURLToPath(new URL('../fixtures/emotion2vec/inputs/', import.meta.url));
/** The engine's audio fixtures (formats and broken files). */
export const AUDIO_FIXTURES_DIR = fileURLToPath(new URL('../../packages/engine/test/fixtures/audio/', import.meta.url));

/** A running server and the temporary folder holding its data. */
export interface TestServer {
  server: RunningServer;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  tmp: string;
  /** Closes the server and removes its folder. */
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 with a free port, uploads and outputs in a fresh temporary folder,
 * no logs and a short heartbeat.
 * @param options overrides (e.g. `modelDir`, `limits`, `maxQueued`)
 */
export async function startTestServer(options: ServerOptions): Promise<TestServer> {
  const tmp = await mkdtemp(join(tmpdir(), 'e2v-e2e-'));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(tmp, 'data'),
    outputsDir: join(tmp, 'outputs'),
    modelsDir: join(tmp, 'models'),
    logger: false,
    heartbeatMs: 200,
    shutdownGraceS: 5,
    ...options,
  });
  return {
    server,
    url: server.url,
    tmp,
    close: async () => {
      await server.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** A response read whole. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/**
 * Sends one request with node:http, so the path goes out byte for byte (`fetch` would resolve
 * `..` and `%2e%2e`) and any `Host` header can be set.
 * @param base server URL
 * @param path raw request target
 * @param init method, headers, body
 */
export function rawRequest(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: init.method ?? 'GET', headers: init.headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${init.method ?? 'GET'} ${path.slice(0, 80)} within 20 s`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** One server-sent-events block: its `event:` and `data:` fields and the raw text. */
export interface SseBlock {
  raw: string;
  event: string | undefined;
  data: string | undefined;
}

/**
 * Splits an event-stream body into its blocks (separated by a blank line).
 * @param text the whole body
 */
export function sseBlocks(text: string): SseBlock[] {
  return text
    .split('\n\n')
    .filter((raw) => raw !== '')
    .map((raw) => {
      const field = (name: string): string | undefined =>
        raw
          .split('\n')
          .find((line) => line.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trimStart();
      return { raw, event: field('event'), data: field('data') };
    });
}

/**
 * GETs an event stream and reads it to its end; fails (instead of hanging) if the server does
 * not end it within `timeoutMs`.
 */
export async function readEventStream(url: string, timeoutMs = 15_000): Promise<{ response: Response; text: string }> {
  const response = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: AbortSignal.timeout(timeoutMs) });
  return { response, text: await response.text() };
}

/**
 * Reads the first chunk of a stream that does not end by itself, then aborts it.
 * @returns the response and the first chunk as text
 */
export async function readFirstChunk(url: string, timeoutMs = 10_000): Promise<{ response: Response; text: string }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no first chunk from ${url} within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await fetch(url, { signal: abort.signal });
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    abort.abort();
    return { response, text: Buffer.from(value ?? new Uint8Array()).toString('utf8') };
  } finally {
    clearTimeout(timer);
  }
}

/** A file part of a multipart upload. */
export interface UploadPart {
  bytes: Uint8Array;
  filename: string;
  /** Form field (default `files`, Gradio's name). */
  field?: string;
  type?: string;
}

/** A FormData with the given file parts. */
export function formOf(parts: readonly UploadPart[]): FormData {
  const form = new FormData();
  for (const part of parts) form.append(part.field ?? 'files', new Blob([part.bytes], { type: part.type ?? 'application/octet-stream' }), part.filename);
  return form;
}

/**
 * Uploads files to `<base>/gradio_api/upload` and returns the server paths.
 * @throws Error when the upload is refused
 */
export async function uploadFiles(base: string, parts: readonly UploadPart[]): Promise<string[]> {
  const response = await fetch(`${base}/gradio_api/upload`, { method: 'POST', body: formOf(parts) });
  if (response.status !== 200) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as string[];
}

/** POSTs JSON and returns the response. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Input FileData for a server path, as the clients send it. */
export function fileData(path: string, origName?: string): Record<string, unknown> {
  return { path, ...(origName === undefined ? {} : { orig_name: origName }), meta: { _type: 'gradio.FileData' } };
}
