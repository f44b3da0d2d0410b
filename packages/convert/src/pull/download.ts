/**
 * Downloads one file to `<dest>.part`, resumable, hashed while streaming, and
 * renamed to `<dest>` only once complete and verified.
 *
 * Resume protocol: next to the `.part` a `<dest>.part.json` keeps the URL, the
 * response validator (strong `ETag`, else `Last-Modified`), the expected sha256 and
 * the total size. A later attempt sends `Range: bytes=N-` with `If-Range: <validator>`
 * and appends only to a `206` whose `Content-Range` starts at N; a `200` (server
 * ignores ranges, or the remote file changed) restarts from byte 0.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { PullError } from '../errors.js';
import { linkedSize, shaFromHeaders, type ListedFile, type ShaSource } from './hubs.js';
import { CallerAbort, NetworkFailure, parseContentRange, request, sleep, type Exchange } from './http.js';
import { RateMeter } from './rate.js';

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** URL to GET (redirects are followed). */
  url: string;
  /** Final path; the download goes to `<dest>.part` first. */
  dest: string;
  /** Name shown in messages, e.g. `model.pt`. */
  file: string;
  /** sha256 pinned by the registry (wins over the hub's), or null. */
  pinnedSha256: string | null;
  /** What the hub's file listing says about this file, or null. */
  listed: ListedFile | null;
  /** Origin whose `ETag` is read as a sha256 (the Hugging Face endpoint), or null. */
  trustedEtagOrigin: string | null;
  /** `Authorization` header for one origin only. */
  authorization?: { origin: string; value: string } | undefined;
  /** fetch implementation. */
  fetchImpl: typeof fetch;
  /** Caller's abort signal. */
  signal?: AbortSignal | undefined;
  /** Time for each hop to answer, ms. */
  connectTimeoutMs: number;
  /** Longest pause in the body before the transfer counts as interrupted, ms. */
  stallTimeoutMs: number;
  /** Retries after a 5xx/429, a connection reset or a cut transfer (progress resets the count). */
  retries: number;
  /** First retry delay, ms; doubles each retry. */
  retryDelayMs: number;
  /** Least time between two progress callbacks, ms. */
  progressIntervalMs: number;
  /** Builds the error for a final non-success HTTP status (404, 401, 5xx after retries, ...). */
  httpError: (status: number, exchange: Exchange, attempts: number) => Error;
  /** Progress: bytes on disk, total (or null), rate (bytes/s), ETA (s or null). */
  onProgress?: ((bytesDone: number, bytesTotal: number | null, bytesPerSecond: number, etaSeconds: number | null) => void) | undefined;
  /** A retry is about to happen after `delayMs`. */
  onRetry?: ((attempt: number, delayMs: number, reason: string) => void) | undefined;
  /** Clock, ms (tests). */
  now?: () => number;
}

/** What {@link downloadFile} did. */
export interface DownloadResult {
  /** Final path (`dest`). */
  path: string;
  /** Size in bytes. */
  bytes: number;
  /** sha256 of the content (computed while streaming). */
  sha256: string;
  /** The sha256 it was checked against, or null when none was published or pinned. */
  expectedSha256: string | null;
  /** Where `expectedSha256` came from. */
  shaSource: ShaSource | null;
  /** True when checked (and equal). */
  verified: boolean;
  /** Byte offset the successful transfer resumed from (0: from the start). */
  resumedFrom: number;
  /** How many times a partial download was thrown away and restarted from 0. */
  restarts: number;
}

interface PartMeta {
  url: string;
  validator: string | null;
  sha256: string | null;
  total: number | null;
}

async function sizeOnDisk(p: string): Promise<number> {
  try {
    return (await stat(p)).size;
  } catch {
    return 0;
  }
}

async function readMeta(p: string): Promise<PartMeta | null> {
  try {
    const j: unknown = JSON.parse(await readFile(p, 'utf8'));
    if (typeof j !== 'object' || j === null) return null;
    const o = j as Record<string, unknown>;
    if (typeof o['url'] !== 'string') return null;
    const validator = typeof o['validator'] === 'string' ? o['validator'] : null;
    const sha256 = typeof o['sha256'] === 'string' ? o['sha256'] : null;
    const total = typeof o['total'] === 'number' ? o['total'] : null;
    return { url: o['url'], validator, sha256, total };
  } catch {
    return null;
  }
}

function strongValidator(headers: Headers): string | null {
  const etag = headers.get('etag');
  if (etag !== null && etag !== '' && !etag.startsWith('W/')) return etag;
  return headers.get('last-modified');
}

function contentLength(res: Response): number | null {
  const enc = res.headers.get('content-encoding');
  if (enc !== null && enc.toLowerCase() !== 'identity') return null;
  const v = res.headers.get('content-length');
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null;
}

/** A sha256 fed with the first `bytes` bytes of `file` (a resumed download goes on from there). */
async function hashPrefix(file: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (bytes === 0) return hash;
  const stream = createReadStream(file, { start: 0, end: bytes - 1 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash;
}

function sourceName(s: ShaSource): string {
  switch (s) {
    case 'registry':
      return 'pinned in models/manifest.json';
    case 'x-linked-etag':
      return "the hub's X-Linked-Etag header";
    case 'etag':
      return "the hub's ETag header";
    case 'listing':
      return "the hub's file listing";
  }
}

/**
 * Downloads `options.url` to `options.dest`, resuming a `.part` left by an earlier
 * attempt when the server allows it. [async]
 * @returns what was downloaded and how it was verified
 * @throws PullError `E2V_ERR_PULL_CHECKSUM` (sha256 differs; the `.part` is deleted),
 *   `E2V_ERR_PULL_SIZE`, `E2V_ERR_PULL_INTERRUPTED` (the `.part` is kept),
 *   `E2V_ERR_PULL_ABORTED` (the `.part` is kept), or what `httpError` builds
 * @throws NetworkFailure when no response could be had (the caller words the offline message)
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  try {
    return await new FileDownload(options).run();
  } catch (err) {
    throw asIoError(err, `${options.dest}.part`);
  }
}

/**
 * Turns a file-system error (it has a `syscall`) into `E2V_ERR_PULL_IO`; anything else is returned as is.
 * @param err the caught error
 * @param where the path being written
 */
export function asIoError(err: unknown, where: string): unknown {
  if (err instanceof PullError || err instanceof NetworkFailure || err instanceof CallerAbort) return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.syscall !== 'string' || typeof e.code !== 'string') return err;
  return new PullError('E2V_ERR_PULL_IO', `Cannot write ${e.path ?? where} (${e.code}: ${e.message}).`, { cause: err });
}

/** The sha256 a download is checked against, and where it came from; null when none is known. */
type Expected = { sha256: string; source: ShaSource } | null;

/** The `.part` an attempt starts from: its size (0: from the start) and its resume record. */
interface LocalPart {
  size: number;
  meta: PartMeta | null;
}

/** The part of the file a response body carries: from byte `start`, of `total` bytes (null: unknown). */
interface BodyRange {
  start: number;
  total: number | null;
}

/** What one attempt came to: the finished download, or `again` for another attempt. */
type AttemptOutcome = DownloadResult | 'again';

/**
 * One file's download, attempt after attempt: find the `.part` to resume, send the (range)
 * request, take the response (complete, retry, restart or stream the body), verify and rename.
 */
class FileDownload {
  private readonly part: string;
  private readonly metaPath: string;
  private readonly now: () => number;
  /** Failed attempts in a row (progress resets it). */
  private failures = 0;
  /** Partial downloads thrown away. */
  private restarts = 0;

  constructor(private readonly o: DownloadOptions) {
    this.part = `${o.dest}.part`;
    this.metaPath = `${this.part}.json`;
    this.now = o.now ?? Date.now;
  }

  async run(): Promise<DownloadResult> {
    for (;;) {
      if (this.o.signal?.aborted === true) throw this.aborted(await sizeOnDisk(this.part));
      const local = await this.resumablePart();
      const ex = await this.send(local);
      if (ex === null) continue;
      try {
        const outcome = await this.receive(ex, local);
        if (outcome !== 'again') return outcome;
      } finally {
        ex.dispose();
      }
    }
  }

  /** The `.part` to resume; one that cannot be resumed (other URL, no validator, too long) is deleted. */
  private async resumablePart(): Promise<LocalPart> {
    const size = await sizeOnDisk(this.part);
    const meta = size > 0 ? await readMeta(this.metaPath) : null;
    const resumable =
      meta !== null && meta.url === this.o.url && (meta.validator !== null || meta.sha256 !== null) && (meta.total === null || size <= meta.total);
    if (size > 0 && !resumable) {
      await this.discard();
      return { size: 0, meta: null };
    }
    return { size, meta };
  }

  /** Sends the request (`Range` from the `.part`'s end); null when a network error is to be retried. */
  private async send(local: LocalPart): Promise<Exchange | null> {
    const o = this.o;
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'e2v-model-pull' };
    if (local.size > 0) {
      headers['range'] = `bytes=${local.size}-`;
      if (local.meta?.validator != null) headers['if-range'] = local.meta.validator;
    }
    try {
      return await request(o.url, { fetchImpl: o.fetchImpl, headers, authorization: o.authorization, signal: o.signal, connectTimeoutMs: o.connectTimeoutMs });
    } catch (err) {
      if (err instanceof CallerAbort) throw this.aborted(local.size);
      if (err instanceof NetworkFailure && !err.unreachable && (await this.retry(`${err.code}: ${err.message}`))) return null;
      throw err;
    }
  }

  /** Takes one response: a complete `.part` (416), a retry (429, 5xx), an error, or a body to stream. */
  private async receive(ex: Exchange, local: LocalPart): Promise<AttemptOutcome> {
    const o = this.o;
    const status = ex.response.status;
    const published = shaFromHeaders(ex.hops, o.trustedEtagOrigin);
    const expected: Expected =
      o.pinnedSha256 !== null
        ? { sha256: o.pinnedSha256, source: 'registry' }
        : (published ?? (o.listed?.sha256 != null ? { sha256: o.listed.sha256, source: 'listing' } : null));
    const announced = linkedSize(ex.hops) ?? o.listed?.size ?? null;

    if (status === 416 && local.size > 0) return this.completeOrRestart(ex.response, local.size, announced, expected);
    if (status === 429 || status >= 500) {
      if (await this.retry(`HTTP ${status}`)) return 'again';
      throw o.httpError(status, ex, this.failures);
    }
    if (status !== 200 && status !== 206) throw o.httpError(status, ex, this.failures + 1);

    const range = await this.bodyRange(ex.response, local, expected, announced);
    if (range === null) return 'again';
    await writeFile(
      this.metaPath,
      JSON.stringify({ url: o.url, validator: strongValidator(ex.response.headers), sha256: expected?.sha256 ?? null, total: range.total }),
    );
    return this.receiveBody(ex, range, expected);
  }

  /** A 416 for `Range: bytes=N-`: nothing is left after byte N, so the `.part` is complete, or it is not this file. */
  private async completeOrRestart(res: Response, partSize: number, announced: number | null, expected: Expected): Promise<AttemptOutcome> {
    const cr = parseContentRange(res.headers.get('content-range'));
    const total = cr !== null && !cr.satisfied ? cr.total : announced;
    if (total === partSize) {
      const hash = await hashPrefix(this.part, partSize);
      this.o.onProgress?.(partSize, total, 0, 0);
      return this.finish(hash, partSize, partSize, expected);
    }
    await this.discard();
    this.startOver(`HTTP 416 with Content-Range ${res.headers.get('content-range') ?? '(none)'}`);
    return 'again';
  }

  /**
   * Where a 200 or 206 body starts and the file's size. A 206 that does not continue the `.part`
   * (a range not asked for, or the remote file changed) deletes it and gives null.
   */
  private async bodyRange(res: Response, local: LocalPart, expected: Expected, announced: number | null): Promise<BodyRange | null> {
    if (res.status !== 206) {
      if (local.size > 0) this.restarts++; // the server ignored the range, or If-Range said the file changed
      return { start: 0, total: contentLength(res) ?? announced };
    }
    const cr = parseContentRange(res.headers.get('content-range'));
    const fits =
      cr?.satisfied &&
      cr.start === local.size &&
      (local.meta?.total == null || cr.total === null || cr.total === local.meta.total) &&
      (local.meta?.sha256 == null || expected === null || local.meta.sha256 === expected.sha256);
    if (!fits || cr === null || !cr.satisfied) {
      await this.discard();
      this.startOver(`HTTP 206 with Content-Range ${res.headers.get('content-range') ?? '(none)'}`);
      return null;
    }
    return { start: local.size, total: cr.total ?? announced };
  }

  /** Streams the body into the `.part`, then finishes; an interrupted transfer is retried (and resumed). */
  private async receiveBody(ex: Exchange, range: BodyRange, expected: Expected): Promise<AttemptOutcome> {
    const { hash, done, failure } = await this.writeBody(ex, range);
    const { start, total } = range;
    if (failure !== null || (total !== null && done < total)) {
      const why = failure !== null ? `${failure.code}: ${failure.message}` : 'the body ended early';
      if (done > start) this.failures = 0; // progress was made: this is not the same failure again
      if (await this.retry(why)) return 'again';
      throw new PullError(
        'E2V_ERR_PULL_INTERRUPTED',
        `Download of ${this.o.file} was interrupted at ${done}${total !== null ? ` of ${total}` : ''} bytes (${why}); ` +
          `the partial file ${this.part} is kept: run the same command again to resume.`,
        { cause: failure ?? undefined },
      );
    }
    return this.finish(hash, done, start, expected);
  }

  /**
   * Appends the body to the `.part` (from `range.start`), hashing the whole file and reporting
   * progress. A network failure mid-body is returned, not thrown: the bytes so far are kept.
   */
  private async writeBody(ex: Exchange, range: BodyRange): Promise<{ hash: Hash; done: number; failure: NetworkFailure | null }> {
    const o = this.o;
    const { start, total } = range;
    const hash = await hashPrefix(this.part, start);
    const fh = await open(this.part, start > 0 ? 'a' : 'w');
    const meter = new RateMeter();
    let done = start;
    let lastEmit = -Infinity;
    const emit = (force: boolean): void => {
      const t = this.now();
      meter.add(t, done);
      if (!force && t - lastEmit < o.progressIntervalMs) return;
      lastEmit = t;
      o.onProgress?.(done, total, meter.rate(), meter.eta(total));
    };
    emit(true);
    let failure: NetworkFailure | null = null;
    try {
      for (;;) {
        const chunk = await ex.read(o.stallTimeoutMs);
        if (chunk === null) break;
        if (total !== null && done + chunk.length > total) {
          await fh.close().catch(() => undefined);
          await this.discard();
          throw new PullError(
            'E2V_ERR_PULL_SIZE',
            `${o.file}: the server sent more than the ${total} bytes it announced (${o.url}); the download was deleted.`,
          );
        }
        hash.update(chunk);
        await fh.write(chunk);
        done += chunk.length;
        emit(false);
      }
    } catch (err) {
      if (err instanceof CallerAbort) {
        await fh.close().catch(() => undefined);
        throw this.aborted(done);
      }
      if (!(err instanceof NetworkFailure)) {
        await fh.close().catch(() => undefined);
        throw err;
      }
      failure = err;
    }
    await fh.close();
    emit(true);
    return { hash, done, failure };
  }

  /** Checks the sha256, then renames the `.part` to its final name. */
  private async finish(hash: Hash, bytes: number, resumedFrom: number, expected: Expected): Promise<DownloadResult> {
    const o = this.o;
    const actual = hash.digest('hex');
    if (expected !== null && actual !== expected.sha256) {
      await this.discard();
      throw new PullError(
        'E2V_ERR_PULL_CHECKSUM',
        `sha256 mismatch for ${o.file}: expected ${expected.sha256} (${sourceName(expected.source)}), got ${actual}. ` +
          `The damaged download was deleted; run the same command again to download it afresh.`,
      );
    }
    await rename(this.part, o.dest);
    await rm(this.metaPath, { force: true });
    return {
      path: o.dest,
      bytes,
      sha256: actual,
      expectedSha256: expected?.sha256 ?? null,
      shaSource: expected?.source ?? null,
      verified: expected !== null,
      resumedFrom,
      restarts: this.restarts,
    };
  }

  /** Waits before the next attempt; false when the retries are used up. */
  private async retry(reason: string): Promise<boolean> {
    const o = this.o;
    this.failures++;
    if (this.failures > o.retries) return false;
    const delayMs = o.retryDelayMs * 2 ** (this.failures - 1);
    o.onRetry?.(this.failures + 1, delayMs, reason);
    try {
      await sleep(delayMs, o.signal);
    } catch {
      throw this.aborted(await sizeOnDisk(this.part));
    }
    return true;
  }

  /** Counts a thrown-away partial download; a server that keeps answering with unusable ranges is an error. */
  private startOver(what: string): void {
    this.restarts++;
    if (this.restarts > 3) {
      throw new PullError('E2V_ERR_PULL_HTTP', `${this.o.url} keeps answering with ranges that do not fit the download (${what}); giving up.`);
    }
  }

  private async discard(): Promise<void> {
    await rm(this.part, { force: true });
    await rm(this.metaPath, { force: true });
  }

  private aborted(bytes: number): PullError {
    return new PullError(
      'E2V_ERR_PULL_ABORTED',
      `Download of ${this.o.file} was aborted at ${bytes} bytes; the partial file ${this.part} is kept and the next pull resumes from it.`,
    );
  }
}
