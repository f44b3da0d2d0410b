/**
 * Clients that misbehave on purpose, for the server's resource tests: a request whose body is
 * sent in part and then held (or cut), and sockets that send nothing. Each uses its own
 * connection (no agent), so the server sees as many connections as the test opens.
 * @module
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A response read whole (or up to its first chunk for streams). */
export interface HeldResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Milliseconds from sending the request to the response headers. */
  ms: number;
}

/** A request in flight whose body the test controls. */
export interface HeldRequest {
  /** The response, read to its end. */
  response: Promise<HeldResponse>;
  /** Sends `bytes` more of the body. */
  write(bytes: Uint8Array): void;
  /** Ends the body (after `bytes`, if given). */
  finish(bytes?: Uint8Array): void;
  /** Cuts the connection, as a client that goes away. */
  abort(): void;
}

/**
 * Starts a POST that sends its headers and `first` bytes of its body, then waits for the test.
 * @param base server URL
 * @param path request target
 * @param headers request headers (set `Content-Length` to declare a size)
 * @param first the bytes sent at once
 */
export function holdRequest(base: string, path: string, headers: Record<string, string>, first: Uint8Array): HeldRequest {
  const { hostname, port } = new URL(base);
  const started = performance.now();
  const req = request({ host: hostname, port, path, method: 'POST', headers, agent: false });
  const response = new Promise<HeldResponse>((resolve, reject) => {
    req.on('response', (res) => {
      const ms = performance.now() - started;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  response.catch(() => undefined); // aborting on purpose is not a failure of the test
  req.write(first);
  return {
    response,
    write: (bytes) => req.write(bytes),
    finish: (bytes) => req.end(bytes),
    abort: () => req.destroy(),
  };
}

/** An open GET of an event stream: resolves once the first chunk (or the end) arrives. */
export interface OpenStream {
  /** The status and first chunk. */
  first: Promise<{ status: number; text: string }>;
  /** True once the server ended the response or closed the connection. */
  ended(): boolean;
  close(): void;
}

/**
 * Opens `GET path` on its own connection and keeps reading it.
 * @param base server URL
 * @param path request target
 */
export function openStream(base: string, path: string): OpenStream {
  const { hostname, port } = new URL(base);
  let ended = false;
  const req = request({ host: hostname, port, path, agent: false });
  const first = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      res.once('data', (chunk: Buffer) => resolve({ status: res.statusCode ?? 0, text: chunk.toString('utf8') }));
      res.on('end', () => {
        ended = true;
        resolve({ status: res.statusCode ?? 0, text: '' });
      });
      res.on('error', () => (ended = true));
    });
    req.on('error', (error) => {
      ended = true;
      reject(error);
    });
    req.on('close', () => (ended = true));
  });
  first.catch(() => undefined);
  req.end();
  return { first, ended: () => ended, close: () => req.destroy() };
}

/**
 * Opens a TCP connection that sends nothing.
 * @returns the socket once connected
 */
export async function idleSocket(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

/** Waits until `check()` holds, polling every 10 ms; throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
