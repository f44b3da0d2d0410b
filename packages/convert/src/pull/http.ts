/**
 * One HTTP GET over `fetch` with what model downloads need and fetch lacks:
 * redirects followed by hand (so hub headers on the redirect, like
 * `X-Linked-Etag`, stay visible, and the token is never sent to another origin),
 * a per-hop connect timeout, the caller's abort signal, and failures sorted into
 * "unreachable" (offline: fail fast) and "transport" (worth a retry).
 * @module
 */

/** Error codes that mean the host cannot be reached at all (DNS, routing, refused, timeout). */
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_NODATA',
  'EAI_FAIL',
  'ECONNREFUSED',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'TIMEOUT',
]);

/** The request could not be made or its body could not be read (no HTTP status to report). */
export class NetworkFailure extends Error {
  /** System or undici error code (`ENOTFOUND`, `ECONNREFUSED`, `ECONNRESET`, ...), `TIMEOUT` for our timers. */
  readonly code: string;
  /** Host (with port) the request went to. */
  readonly host: string;
  /** True when the host cannot be reached at all: retrying right away will not help. */
  readonly unreachable: boolean;

  /**
   * @param code error code
   * @param host host:port
   * @param message description
   * @param options standard error options (`cause`)
   */
  constructor(code: string, host: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.host = host;
    this.unreachable = UNREACHABLE_CODES.has(code);
  }
}
Object.defineProperty(NetworkFailure.prototype, 'name', { value: 'NetworkFailure' });

/** Thrown when the caller's AbortSignal fired; the caller turns it into a PullError. */
export class CallerAbort extends Error {}
Object.defineProperty(CallerAbort.prototype, 'name', { value: 'CallerAbort' });

/** Abort reason used by our own timers. */
class TimerAbort extends Error {
  constructor(
    readonly code: 'TIMEOUT' | 'STALLED',
    message: string,
  ) {
    super(message);
  }
}

/** One response of a redirect chain. */
export interface Hop {
  /** URL requested. */
  url: string;
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Headers;
}

/** Options of {@link request}. */
export interface RequestOptions {
  /** The fetch to use (tests inject their own). */
  fetchImpl: typeof fetch;
  /** Headers sent on every hop (lowercase names). */
  headers: Record<string, string>;
  /** `Authorization` value, sent only to URLs of `origin` (never to a CDN we are redirected to). */
  authorization?: { origin: string; value: string } | undefined;
  /** The caller's signal; aborting rejects with {@link CallerAbort}. */
  signal?: AbortSignal | undefined;
  /** Time allowed for each hop to answer with headers, in ms. */
  connectTimeoutMs: number;
  /** Most redirects followed (default 10). */
  maxRedirects?: number;
}

/** A final (non-redirect) response whose body is still to be read. */
export interface Exchange {
  /** The final response. */
  response: Response;
  /** Its URL. */
  url: string;
  /** Every response of the chain, the final one last. */
  hops: Hop[];
  /**
   * Reads the next body chunk; rejects with {@link NetworkFailure} (code `STALLED` when
   * no byte came for `stallTimeoutMs`) or {@link CallerAbort}.
   * @returns the chunk, or null at the end of the body
   */
  read(stallTimeoutMs: number): Promise<Uint8Array | null>;
  /** Stops the body (if unread) and detaches from the caller's signal. Idempotent. */
  dispose(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function findCode(err: unknown, depth = 0): string | null {
  if (depth > 6 || typeof err !== 'object' || err === null) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner)) {
    for (const e of inner) {
      const c = findCode(e, depth + 1);
      if (c !== null) return c;
    }
  }
  return findCode((err as { cause?: unknown }).cause, depth + 1);
}

function innermostMessage(err: unknown): string {
  let e: unknown = err;
  let msg = err instanceof Error ? err.message : String(err);
  for (let i = 0; i < 6 && e instanceof Error && e.cause !== undefined; i++) {
    e = e.cause;
    if (e instanceof Error && e.message !== '') msg = e.message;
  }
  return msg;
}

function toFailure(err: unknown, host: string, signal: AbortSignal, caller: AbortSignal | undefined): Error {
  if (caller?.aborted === true) return new CallerAbort('aborted by the caller', { cause: caller.reason });
  const reason: unknown = signal.reason;
  if (signal.aborted && reason instanceof TimerAbort) return new NetworkFailure(reason.code, host, reason.message);
  const code = findCode(err) ?? 'ENETWORK';
  return new NetworkFailure(code, host, innermostMessage(err), { cause: err });
}

/**
 * Resolves after `ms`, or rejects with {@link CallerAbort} when `signal` fires first.
 * @param ms delay
 * @param signal the caller's signal
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new CallerAbort('aborted by the caller', { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CallerAbort('aborted by the caller', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * GETs `url`, following redirects by hand. [async]
 * @returns the final exchange (any status other than a redirect); read its body with `read`, then `dispose`
 * @throws NetworkFailure when a hop fails to connect or answer within `connectTimeoutMs`
 * @throws CallerAbort when the caller's signal fires
 */
export async function request(url: string, options: RequestOptions): Promise<Exchange> {
  const { fetchImpl, connectTimeoutMs, signal: caller } = options;
  const maxRedirects = options.maxRedirects ?? 10;
  const hops: Hop[] = [];
  let current = url;
  for (let hop = 0; ; hop++) {
    const controller = new AbortController();
    const onCallerAbort = (): void => controller.abort(caller?.reason);
    if (caller?.aborted === true) throw new CallerAbort('aborted by the caller', { cause: caller.reason });
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    const detach = (): void => caller?.removeEventListener('abort', onCallerAbort);
    const host = new URL(current).host;
    const timer = setTimeout(() => controller.abort(new TimerAbort('TIMEOUT', `no answer from ${host} within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    const headers: Record<string, string> = { ...options.headers };
    if (options.authorization !== undefined && new URL(current).origin === options.authorization.origin) {
      headers['authorization'] = options.authorization.value;
    }
    let response: Response;
    try {
      response = await fetchImpl(current, { headers, redirect: 'manual', signal: controller.signal });
    } catch (err) {
      detach();
      throw toFailure(err, host, controller.signal, caller);
    } finally {
      clearTimeout(timer);
    }
    hops.push({ url: current, status: response.status, headers: response.headers });
    const location = response.headers.get('location');
    if (REDIRECTS.has(response.status) && location !== null) {
      await response.body?.cancel().catch(() => undefined);
      detach();
      if (hop >= maxRedirects) {
        throw new NetworkFailure('EREDIRECTS', host, `more than ${maxRedirects} redirects from ${url}`);
      }
      current = new URL(location, current).href;
      continue;
    }
    return exchange(response, current, hops, controller, caller, detach, host);
  }
}

function exchange(
  response: Response,
  url: string,
  hops: Hop[],
  controller: AbortController,
  caller: AbortSignal | undefined,
  detach: () => void,
  host: string,
): Exchange {
  const reader = response.body?.getReader() ?? null;
  let disposed = false;
  return {
    response,
    url,
    hops,
    async read(stallTimeoutMs: number): Promise<Uint8Array | null> {
      if (reader === null) return null;
      const timer = setTimeout(() => controller.abort(new TimerAbort('STALLED', `no data from ${host} for ${stallTimeoutMs} ms`)), stallTimeoutMs);
      try {
        const { done, value } = await reader.read();
        return done ? null : value;
      } catch (err) {
        throw toFailure(err, host, controller.signal, caller);
      } finally {
        clearTimeout(timer);
      }
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      detach();
      if (reader !== null) reader.cancel().catch(() => undefined);
      else response.body?.cancel().catch(() => undefined);
    },
  };
}

/** A parsed `Content-Range` header. */
export type ContentRange = { satisfied: true; start: number; end: number; total: number | null } | { satisfied: false; total: number };

/**
 * Parses `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`) or `bytes *\/TOTAL` (416).
 * @returns the range, or null when absent or malformed
 */
export function parseContentRange(value: string | null): ContentRange | null {
  if (value === null) return null;
  const v = value.trim();
  let m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(v);
  if (m !== null) {
    const start = Number(m[1]);
    const end = Number(m[2]);
    const total = m[3] === '*' ? null : Number(m[3]);
    if (end < start || (total !== null && end >= total)) return null;
    return { satisfied: true, start, end, total };
  }
  m = /^bytes\s+\*\/(\d+)$/i.exec(v);
  if (m !== null) return { satisfied: false, total: Number(m[1]) };
  return null;
}
