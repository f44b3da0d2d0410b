/**
 * `e2v model pull NAME`: download a registry model's files
 * from Hugging Face or ModelScope (resumable, verified), then hand them to the
 * converter, which writes `models/<name>/`.
 * @module
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultModelsDir, findModel, loadRegistry, type HubSource, type Registry, type RegistryModel } from '@e2v/core';
import { PullError } from '../errors.js';
import { asIoError, downloadFile, type DownloadResult } from './download.js';
import type { PullProgressEvent } from './events.js';
import { fileUrl, listingUrl, parseListing, resolveEndpoints, resolveSource, type HubEndpoints, type ListedFile, type ShaSource } from './hubs.js';
import { CallerAbort, NetworkFailure, request, type Exchange } from './http.js';
import { acquireLock } from './lock.js';
import { HUB_NAMES, httpErrorFor, networkError } from './messages.js';

/** Options of {@link pullModel}. */
export interface PullOptions {
  /** Hub to use; default `E2V_MODEL_SOURCE`, else Hugging Face. */
  source?: HubSource;
  /** Folder of converted models; default `E2V_MODELS_DIR`, else the repository's `models/`. */
  modelsDir?: string;
  /** Folder for downloads (`<cacheDir>/<name>/model.pt`, ...); default `E2V_CACHE_DIR`, else `<modelsDir>/.cache`. */
  cacheDir?: string;
  /** Progress events (see {@link PullProgressEvent}); `createProgressRenderer` draws them. */
  onProgress?: (event: PullProgressEvent) => void;
  /** Aborts the pull (`E2V_ERR_PULL_ABORTED`); a partial file is kept for the next pull. */
  signal?: AbortSignal;
  /** fetch implementation (default: the global fetch). */
  fetchImpl?: typeof fetch;
  /** Time each request has to answer with headers before the host counts as unreachable, ms (default 5000). */
  connectTimeoutMs?: number;
  /** Longest pause inside a body before the transfer counts as cut (and is resumed), ms (default 60000). */
  stallTimeoutMs?: number;
  /** Retries after HTTP 5xx/429, a reset connection or a cut transfer (default 3). */
  retries?: number;
  /** First retry delay, ms, doubled each time (default 1000). */
  retryDelayMs?: number;
  /** Least time between two `file-progress` events, ms (default 100). */
  progressIntervalMs?: number;
  /**
   * Converter called once the files are complete: `(fromDir, outDir)`, where `fromDir`
   * holds model.pt, config.yaml, tokens.txt and `outDir` is `<modelsDir>/<name>`.
   * Without it, pull only downloads.
   */
  convert?: (fromDir: string, outDir: string) => Promise<unknown>;
  /** Environment to read (`HF_ENDPOINT`, `HF_TOKEN`, ...); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Registry to use; default {@link loadRegistry}(). */
  registry?: Registry;
}

/** One downloaded file in a {@link PullReport}. */
export interface PulledFile extends Omit<DownloadResult, 'restarts'> {
  /** File name, e.g. `model.pt`. */
  name: string;
  /** URL it was downloaded from (for a cached file: by the earlier pull). */
  url: string;
  /** True when an earlier pull had already downloaded it. */
  cached: boolean;
}

/** What {@link pullModel} did. */
export interface PullReport {
  /** Model id. */
  model: string;
  /** Hub used. */
  source: HubSource;
  /** Folder holding the downloaded files (the converter's input). */
  downloadDir: string;
  /** Folder of the converted model (`<modelsDir>/<name>`). */
  outDir: string;
  /** The files, in registry order. */
  files: PulledFile[];
  /** True when `convert` ran. */
  converted: boolean;
  /** What `convert` returned (undefined when it did not run). */
  convertResult?: unknown;
  /** Things the user should know, one line each (e.g. a file that could not be verified). */
  notes: string[];
  /** Wall time, ms. */
  elapsedMs: number;
}

interface DoneRecord {
  url: string;
  bytes: number;
  sha256: string;
  expectedSha256: string | null;
  shaSource: ShaSource | null;
  verified: boolean;
}

function positive(name: string, v: number | undefined, fallback: number, allowZero = false): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(`Expected a ${allowZero ? 'non-negative' : 'positive'} number for ${name} but received ${String(v)}`);
  }
  return v;
}

async function readRecord(p: string): Promise<DoneRecord | null> {
  try {
    const j = JSON.parse(await readFile(p, 'utf8')) as Partial<DoneRecord>;
    if (typeof j.url !== 'string' || typeof j.bytes !== 'number' || typeof j.sha256 !== 'string') return null;
    return {
      url: j.url,
      bytes: j.bytes,
      sha256: j.sha256,
      expectedSha256: typeof j.expectedSha256 === 'string' ? j.expectedSha256 : null,
      shaSource: j.shaSource ?? null,
      verified: j.verified === true,
    };
  } catch {
    return null;
  }
}

async function fileSize(p: string): Promise<number | null> {
  try {
    const s = await stat(p);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/**
 * Fetches the hub's file listing. Best effort: HTTP errors, unreadable bodies and transient
 * network errors give an empty map; only an unreachable host (offline) or the caller's abort throw.
 */
async function fetchListing(
  url: string,
  source: HubSource,
  opts: {
    fetchImpl: typeof fetch;
    signal: AbortSignal | undefined;
    connectTimeoutMs: number;
    stallTimeoutMs: number;
    authorization?: { origin: string; value: string } | undefined;
  },
): Promise<Map<string, ListedFile>> {
  let ex: Exchange | undefined;
  try {
    ex = await request(url, {
      fetchImpl: opts.fetchImpl,
      headers: { accept: 'application/json', 'user-agent': 'e2v-model-pull' },
      authorization: opts.authorization,
      signal: opts.signal,
      connectTimeoutMs: opts.connectTimeoutMs,
    });
    if (ex.response.status !== 200) return new Map();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const c = await ex.read(opts.stallTimeoutMs);
      if (c === null) break;
      size += c.length;
      if (size > 8 * 1024 * 1024) return new Map(); // not a listing of a 3-file repository
      chunks.push(c);
    }
    return parseListing(source, JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch (err) {
    if (err instanceof CallerAbort) throw err;
    if (err instanceof SyntaxError) return new Map();
    if (err instanceof NetworkFailure && !err.unreachable) return new Map();
    throw err;
  } finally {
    ex?.dispose();
  }
}

/** A pull's settings, resolved from its options and the environment. */
interface PullPlan {
  model: RegistryModel;
  source: HubSource;
  endpoints: HubEndpoints;
  outDir: string;
  downloadDir: string;
  /** `HF_TOKEN` (or `HUGGING_FACE_HUB_TOKEN`) when pulling from Hugging Face. */
  token: string | undefined;
  /** Origin of the Hugging Face endpoint: the only one whose ETag is read as a sha256, and sent the token. */
  hfOrigin: string;
  authorization: { origin: string; value: string } | undefined;
  fetchImpl: typeof fetch;
  signal: AbortSignal | undefined;
  connectTimeoutMs: number;
  stallTimeoutMs: number;
  retries: number;
  retryDelayMs: number;
  progressIntervalMs: number;
  emit: (event: PullProgressEvent) => void;
}

/** Resolves the options (checking the numeric ones), the registry entry, the hub and the folders. */
function planPull(name: string, options: PullOptions): PullPlan {
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs, 5000);
  const stallTimeoutMs = positive('stallTimeoutMs', options.stallTimeoutMs, 60_000);
  const retries = Math.floor(positive('retries', options.retries, 3, true));
  const retryDelayMs = positive('retryDelayMs', options.retryDelayMs, 1000, true);
  const progressIntervalMs = positive('progressIntervalMs', options.progressIntervalMs, 100, true);
  const env = options.env ?? process.env;
  const model = findModel(name, options.registry ?? loadRegistry());
  const source = resolveSource(options.source, env);
  const endpoints: HubEndpoints = resolveEndpoints(env);
  const modelsDir = path.resolve(options.modelsDir ?? defaultModelsDir(env));
  const cacheRoot = path.resolve(options.cacheDir ?? nonEmpty(env['E2V_CACHE_DIR']) ?? path.join(modelsDir, '.cache'));
  const token = source === 'huggingface' ? (nonEmpty(env['HF_TOKEN']) ?? nonEmpty(env['HUGGING_FACE_HUB_TOKEN'])) : undefined;
  const hfOrigin = new URL(endpoints.huggingface).origin;
  return {
    model,
    source,
    endpoints,
    outDir: path.join(modelsDir, model.id),
    downloadDir: path.join(cacheRoot, model.id),
    token,
    hfOrigin,
    authorization: token !== undefined ? { origin: hfOrigin, value: `Bearer ${token}` } : undefined,
    fetchImpl: options.fetchImpl ?? globalThis.fetch,
    signal: options.signal,
    connectTimeoutMs,
    stallTimeoutMs,
    retries,
    retryDelayMs,
    progressIntervalMs,
    emit: (e) => options.onProgress?.(e),
  };
}

/** The error of a pull aborted between files (before a download started, or before converting). */
function pullAborted(plan: PullPlan): PullError {
  return new PullError('E2V_ERR_PULL_ABORTED', `Pull of ${plan.model.id} was aborted; downloaded files are kept in ${plan.downloadDir}.`);
}

/** Creates the download folder and takes its lock (one pull of a model at a time). */
async function lockDownloadDir(plan: PullPlan): Promise<() => Promise<void>> {
  try {
    await mkdir(plan.downloadDir, { recursive: true });
    return await acquireLock(path.join(plan.downloadDir, '.pull.lock'), plan.model.id);
  } catch (err) {
    throw asIoError(err, plan.downloadDir);
  }
}

/** The files an earlier pull finished (complete, and the pinned sha256 when there is one), null for the others. */
async function cachedFiles(plan: PullPlan): Promise<(PulledFile | null)[]> {
  const files: (PulledFile | null)[] = [];
  for (const f of plan.model.files) {
    const dest = path.join(plan.downloadDir, f.name);
    const rec = await readRecord(`${dest}.download.json`);
    const size = await fileSize(dest);
    const ok = rec !== null && size === rec.bytes && (f.sha256 === null || f.sha256 === rec.sha256);
    files.push(ok ? { name: f.name, path: dest, cached: true, resumedFrom: 0, ...rec } : null);
  }
  return files;
}

/** The hub's file listing (sizes, sha256s); an unreachable hub is `E2V_ERR_PULL_OFFLINE`. */
async function hubListing(plan: PullPlan): Promise<Map<string, ListedFile>> {
  try {
    return await fetchListing(listingUrl(plan.source, plan.model, plan.endpoints), plan.source, plan);
  } catch (err) {
    if (err instanceof CallerAbort) throw pullAborted(plan);
    if (err instanceof NetworkFailure) throw networkError(err, plan.model, plan.outDir);
    throw err;
  }
}

/** Downloads file `index` of the model (resuming its `.part`) and records it as done. */
async function downloadOne(plan: PullPlan, index: number, listed: ListedFile | null): Promise<PulledFile> {
  const { model, source, emit } = plan;
  const f = model.files[index]!;
  const count = model.files.length;
  const dest = path.join(plan.downloadDir, f.name);
  const url = fileUrl(source, model, f.name, plan.endpoints);
  emit({
    type: 'file-start',
    file: f.name,
    index,
    count,
    url,
    bytesDone: (await fileSize(`${dest}.part`)) ?? 0,
    bytesTotal: listed?.size ?? f.approxBytes,
  });
  let result: Awaited<ReturnType<typeof downloadFile>>;
  try {
    result = await downloadFile({
      url,
      dest,
      file: f.name,
      pinnedSha256: f.sha256,
      listed,
      trustedEtagOrigin: source === 'huggingface' ? plan.hfOrigin : null,
      authorization: plan.authorization,
      fetchImpl: plan.fetchImpl,
      signal: plan.signal,
      connectTimeoutMs: plan.connectTimeoutMs,
      stallTimeoutMs: plan.stallTimeoutMs,
      retries: plan.retries,
      retryDelayMs: plan.retryDelayMs,
      progressIntervalMs: plan.progressIntervalMs,
      httpError: httpErrorFor({ model, source, file: f.name, outDir: plan.outDir, tokenSet: plan.token !== undefined }),
      onProgress: (bytesDone, bytesTotal, bytesPerSecond, etaSeconds) =>
        emit({ type: 'file-progress', file: f.name, index, count, bytesDone, bytesTotal, bytesPerSecond, etaSeconds }),
      onRetry: (attempt, delayMs, reason) => emit({ type: 'file-retry', file: f.name, attempt, delayMs, reason }),
    });
  } catch (err) {
    if (err instanceof NetworkFailure) throw networkError(err, model, plan.outDir);
    throw err;
  }
  const rec: DoneRecord = {
    url,
    bytes: result.bytes,
    sha256: result.sha256,
    expectedSha256: result.expectedSha256,
    shaSource: result.shaSource,
    verified: result.verified,
  };
  await writeFile(`${dest}.download.json`, `${JSON.stringify(rec, null, 2)}\n`).catch((err: unknown) => {
    throw asIoError(err, `${dest}.download.json`);
  });
  emit({ type: 'file-done', file: f.name, index, count, bytes: rec.bytes, sha256: rec.sha256, verified: rec.verified, cached: false });
  return { name: f.name, path: dest, cached: false, resumedFrom: result.resumedFrom, ...rec };
}

/** Runs the converter on the downloaded files, into the report. */
async function convertDownloads(plan: PullPlan, report: PullReport, convert: NonNullable<PullOptions['convert']>): Promise<void> {
  if (isAborted(plan.signal)) throw pullAborted(plan);
  plan.emit({ type: 'convert-start', fromDir: plan.downloadDir, outDir: plan.outDir });
  const t0 = Date.now();
  report.convertResult = await convert(plan.downloadDir, plan.outDir);
  report.converted = true;
  plan.emit({ type: 'convert-done', outDir: plan.outDir, elapsedMs: Date.now() - t0 });
}

/**
 * Downloads a registry model's files and converts them. [async]
 *
 * Files go to `<cacheDir>/<name>/` as `<file>.part` and are renamed once complete
 * and verified against the sha256 the hub publishes (Hugging Face `X-Linked-Etag`
 * / `ETag` / tree listing `lfs.oid`; ModelScope file listing `Sha256`) or the
 * registry pins. Files completed by an earlier pull are reused; an interrupted
 * one is resumed with an HTTP Range request.
 * @param name model id from `models/manifest.json`, e.g. `emotion2vec_plus_large`
 * @param options see {@link PullOptions}
 * @returns what was downloaded, verified and converted
 * @throws PullError `E2V_ERR_PULL_*` (offline, HTTP status, checksum, abort, ...);
 *   errors thrown by `convert` pass through unchanged
 * @throws RegistryError `E2V_ERR_PULL_UNKNOWN_MODEL` for a name the registry does not list
 * @throws RangeError for a negative or non-numeric timeout/retry option
 * @example
 * const report = await pullModel('emotion2vec_plus_large', {
 *   onProgress: createProgressRenderer(process.stderr).onProgress,
 *   convert: (fromDir, outDir) => convertCheckpoint({ fromDir, outDir }),
 * });
 */
export async function pullModel(name: string, options: PullOptions = {}): Promise<PullReport> {
  const started = Date.now();
  const plan = planPull(name, options);
  const { model, source, downloadDir, outDir } = plan;
  if (plan.signal?.aborted === true) throw pullAborted(plan);
  const release = await lockDownloadDir(plan);
  try {
    const files = await cachedFiles(plan);
    const listing = files.some((f) => f === null) ? await hubListing(plan) : new Map<string, ListedFile>();
    const count = model.files.length;
    for (const [index, f] of model.files.entries()) {
      const have = files[index];
      if (have != null)
        plan.emit({ type: 'file-done', file: f.name, index, count, bytes: have.bytes, sha256: have.sha256, verified: have.verified, cached: true });
      else files[index] = await downloadOne(plan, index, listing.get(f.name) ?? null);
    }
    const done = files.filter((f): f is PulledFile => f !== null);
    const notes = done
      .filter((f) => !f.verified)
      .map((f) => `${f.name} was not verified: ${HUB_NAMES[source]} publishes no sha256 for it (its sha256 is ${f.sha256}).`);
    const report: PullReport = { model: model.id, source, downloadDir, outDir, files: done, converted: false, notes, elapsedMs: 0 };
    if (options.convert !== undefined) await convertDownloads(plan, report, options.convert);
    report.elapsedMs = Date.now() - started;
    return report;
  } finally {
    await release();
  }
}

/** Reads `aborted` through a call, so it is not narrowed from an earlier check. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}
