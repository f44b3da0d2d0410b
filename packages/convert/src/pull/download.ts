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

async function hashPrefix(file: string, bytes: number, hash: Hash): Promise<void> {
  if (bytes === 0) return;
  const stream = createReadStream(file, { start: 0, end: bytes - 1 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
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
    return await download(options);
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

async function download(options: DownloadOptions): Promise<DownloadResult> {
  const o = options;
  const now = o.now ?? Date.now;
  const part = `${o.dest}.part`;
  const metaPath = `${part}.json`;
  let failures = 0;
  let restarts = 0;

  const discard = async (): Promise<void> => {
    await rm(part, { force: true });
    await rm(metaPath, { force: true });
  };
  const aborted = (bytes: number): PullError =>
    new PullError(
      'E2V_ERR_PULL_ABORTED',
      `Download of ${o.file} was aborted at ${bytes} bytes; the partial file ${part} is kept and the next pull resumes from it.`,
    );
  /** Waits before the next attempt; false when the retries are used up. */
  const retry = async (reason: string): Promise<boolean> => {
    failures++;
    if (failures > o.retries) return false;
    const delayMs = o.retryDelayMs * 2 ** (failures - 1);
    o.onRetry?.(failures + 1, delayMs, reason);
    try {
      await sleep(delayMs, o.signal);
    } catch {
      throw aborted(await sizeOnDisk(part));
    }
    return true;
  };

  /** Counts a thrown-away partial download; a server that keeps answering with unusable ranges is an error. */
  const startOver = (what: string): void => {
    restarts++;
    if (restarts > 3) {
      throw new PullError('E2V_ERR_PULL_HTTP', `${o.url} keeps answering with ranges that do not fit the download (${what}); giving up.`);
    }
  };

  /** Checks the sha256, then renames the .part to its final name. */
  const finish = async (
    h: Hash,
    bytes: number,
    resumedFrom: number,
    expected: { sha256: string; source: ShaSource } | null,
  ): Promise<DownloadResult> => {
    const actual = h.digest('hex');
    if (expected !== null && actual !== expected.sha256) {
      await discard();
      throw new PullError(
        'E2V_ERR_PULL_CHECKSUM',
        `sha256 mismatch for ${o.file}: expected ${expected.sha256} (${sourceName(expected.source)}), got ${actual}. ` +
          `The damaged download was deleted; run the same command again to download it afresh.`,
      );
    }
    await rename(part, o.dest);
    await rm(metaPath, { force: true });
    return {
      path: o.dest,
      bytes,
      sha256: actual,
      expectedSha256: expected?.sha256 ?? null,
      shaSource: expected?.source ?? null,
      verified: expected !== null,
      resumedFrom,
      restarts,
    };
  };

  for (;;) {
    if (o.signal?.aborted === true) throw aborted(await sizeOnDisk(part));
    let partSize = await sizeOnDisk(part);
    let meta = partSize > 0 ? await readMeta(metaPath) : null;
    const resumable =
      meta !== null &&
      meta.url === o.url &&
      (meta.validator !== null || meta.sha256 !== null) &&
      (meta.total === null || partSize <= meta.total);
    if (partSize > 0 && !resumable) {
      await discard();
      partSize = 0;
      meta = null;
    }

    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'e2v-model-pull' };
    if (partSize > 0) {
      headers['range'] = `bytes=${partSize}-`;
      if (meta?.validator != null) headers['if-range'] = meta.validator;
    }

    let ex: Exchange;
    try {
      ex = await request(o.url, {
        fetchImpl: o.fetchImpl,
        headers,
        authorization: o.authorization,
        signal: o.signal,
        connectTimeoutMs: o.connectTimeoutMs,
      });
    } catch (err) {
      if (err instanceof CallerAbort) throw aborted(partSize);
      if (err instanceof NetworkFailure && !err.unreachable && (await retry(`${err.code}: ${err.message}`))) continue;
      throw err;
    }

    try {
      const res = ex.response;
      const status = res.status;
      const published = shaFromHeaders(ex.hops, o.trustedEtagOrigin);
      const expected: { sha256: string; source: ShaSource } | null =
        o.pinnedSha256 !== null
          ? { sha256: o.pinnedSha256, source: 'registry' }
          : published ?? (o.listed?.sha256 != null ? { sha256: o.listed.sha256, source: 'listing' } : null);
      const announced = linkedSize(ex.hops) ?? o.listed?.size ?? null;

      if (status === 416 && partSize > 0) {
        // Nothing left after byte N: either the .part is complete, or it is not this file.
        const cr = parseContentRange(res.headers.get('content-range'));
        const total = cr !== null && !cr.satisfied ? cr.total : announced;
        if (total === partSize) {
          const hash = createHash('sha256');
          await hashPrefix(part, partSize, hash);
          o.onProgress?.(partSize, total, 0, 0);
          return await finish(hash, partSize, partSize, expected);
        }
        await discard();
        startOver(`HTTP 416 with Content-Range ${res.headers.get('content-range') ?? '(none)'}`);
        continue;
      }
      if (status === 429 || status >= 500) {
        if (await retry(`HTTP ${status}`)) continue;
        throw o.httpError(status, ex, failures);
      }
      if (status !== 200 && status !== 206) throw o.httpError(status, ex, failures + 1);

      let start = 0;
      let total: number | null;
      if (status === 206) {
        const cr = parseContentRange(res.headers.get('content-range'));
        const fits =
          cr !== null &&
          cr.satisfied &&
          cr.start === partSize &&
          (meta?.total == null || cr.total === null || cr.total === meta.total) &&
          (meta?.sha256 == null || expected === null || meta.sha256 === expected.sha256);
        if (!fits || cr === null || !cr.satisfied) {
          // A range we did not ask for, or the remote file changed: start over.
          await discard();
          startOver(`HTTP 206 with Content-Range ${res.headers.get('content-range') ?? '(none)'}`);
          continue;
        }
        start = partSize;
        total = cr.total ?? announced;
      } else {
        if (partSize > 0) restarts++; // the server ignored the range, or If-Range said the file changed
        total = contentLength(res) ?? announced;
      }

      await writeFile(
        metaPath,
        JSON.stringify({ url: o.url, validator: strongValidator(res.headers), sha256: expected?.sha256 ?? null, total }),
      );
      const hash = createHash('sha256');
      await hashPrefix(part, start, hash);
      const fh = await open(part, start > 0 ? 'a' : 'w');
      const meter = new RateMeter();
      let done = start;
      let lastEmit = -Infinity;
      const emit = (force: boolean): void => {
        const t = now();
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
            await discard();
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
          throw aborted(done);
        }
        if (!(err instanceof NetworkFailure)) {
          await fh.close().catch(() => undefined);
          throw err;
        }
        failure = err;
      }
      await fh.close();
      emit(true);
      if (failure !== null || (total !== null && done < total)) {
        const why = failure !== null ? `${failure.code}: ${failure.message}` : 'the body ended early';
        if (done > start) failures = 0; // progress was made: this is not the same failure again
        if (await retry(why)) continue;
        throw new PullError(
          'E2V_ERR_PULL_INTERRUPTED',
          `Download of ${o.file} was interrupted at ${done}${total !== null ? ` of ${total}` : ''} bytes (${why}); ` +
            `the partial file ${part} is kept: run the same command again to resume.`,
          { cause: failure ?? undefined },
        );
      }
      return await finish(hash, done, start, expected);

    } finally {
      ex.dispose();
    }
  }
}
