/**
 * URL layouts and checksum sources of the two hubs (Hugging Face, ModelScope):
 * where a file is downloaded from, where the file listing is, and how each hub
 * publishes the sha256 of its LFS files.
 * @module
 */
import { PullError } from '../errors.js';
import type { HubSource, RegistryModel } from '@e2v/core';

/** Public Hugging Face endpoint (overridden by `HF_ENDPOINT`). */
export const HF_DEFAULT_ENDPOINT = 'https://huggingface.co';
/** Public ModelScope endpoint (overridden by `MODELSCOPE_ENDPOINT`). */
export const MODELSCOPE_DEFAULT_ENDPOINT = 'https://www.modelscope.cn';
/** Branch read on Hugging Face. */
export const HF_REVISION = 'main';
/** Branch read on ModelScope. */
export const MODELSCOPE_REVISION = 'master';

/** Base URLs of both hubs, without a trailing slash. */
export interface HubEndpoints {
  /** Hugging Face base URL, e.g. `https://huggingface.co`. */
  huggingface: string;
  /** ModelScope base URL, e.g. `https://www.modelscope.cn`. */
  modelscope: string;
}

/** What a hub's file listing says about one file. */
export interface ListedFile {
  /** sha256 of the content (LFS files), or null when the hub gives none. */
  sha256: string | null;
  /** Size in bytes, or null. */
  size: number | null;
}

/**
 * Picks the hub: the explicit choice, else `E2V_MODEL_SOURCE` (`huggingface`/`hf`,
 * `modelscope`/`ms`), else Hugging Face.
 * @param explicit the `source` option / `--source` flag, if any
 * @param env environment to read
 * @throws PullError `E2V_ERR_PULL_CONFIG` for an unknown value
 */
export function resolveSource(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): HubSource {
  const raw = explicit ?? env['E2V_MODEL_SOURCE'];
  if (raw === undefined || raw.trim() === '') return 'huggingface';
  const v = raw.trim().toLowerCase();
  if (v === 'huggingface' || v === 'hf') return 'huggingface';
  if (v === 'modelscope' || v === 'ms') return 'modelscope';
  const from = explicit !== undefined ? 'source' : 'E2V_MODEL_SOURCE';
  throw new PullError('E2V_ERR_PULL_CONFIG', `Unknown model source ${JSON.stringify(raw)} (${from}); expected "huggingface" or "modelscope".`);
}

function endpoint(raw: string | undefined, fallback: string, name: string): string {
  if (raw === undefined || raw.trim() === '') return fallback;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new PullError('E2V_ERR_PULL_CONFIG', `${name} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PullError('E2V_ERR_PULL_CONFIG', `${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Hub base URLs from `HF_ENDPOINT` and `MODELSCOPE_ENDPOINT` (mirrors, tests), else the public ones.
 * @param env environment to read
 * @throws PullError `E2V_ERR_PULL_CONFIG` when a value is not an http(s) URL
 */
export function resolveEndpoints(env: NodeJS.ProcessEnv = process.env): HubEndpoints {
  return {
    huggingface: endpoint(env['HF_ENDPOINT'], HF_DEFAULT_ENDPOINT, 'HF_ENDPOINT'),
    modelscope: endpoint(env['MODELSCOPE_ENDPOINT'], MODELSCOPE_DEFAULT_ENDPOINT, 'MODELSCOPE_ENDPOINT'),
  };
}

function repoPath(repo: string): string {
  return repo.split('/').map(encodeURIComponent).join('/');
}

/**
 * Download URL of one file.
 * Hugging Face: `<endpoint>/<repo>/resolve/main/<file>`;
 * ModelScope: `<endpoint>/api/v1/models/<id>/repo?Revision=master&FilePath=<file>`.
 */
export function fileUrl(source: HubSource, model: RegistryModel, file: string, endpoints: HubEndpoints): string {
  if (source === 'huggingface') {
    return `${endpoints.huggingface}/${repoPath(model.huggingface)}/resolve/${HF_REVISION}/${encodeURIComponent(file)}`;
  }
  return `${endpoints.modelscope}/api/v1/models/${repoPath(model.modelscope)}/repo?Revision=${MODELSCOPE_REVISION}&FilePath=${encodeURIComponent(file)}`;
}

/**
 * URL of the hub's file listing (with sha256 of LFS files).
 * Hugging Face: `<endpoint>/api/models/<repo>/tree/main`;
 * ModelScope: `<endpoint>/api/v1/models/<id>/repo/files?Revision=master`.
 */
export function listingUrl(source: HubSource, model: RegistryModel, endpoints: HubEndpoints): string {
  if (source === 'huggingface') {
    return `${endpoints.huggingface}/api/models/${repoPath(model.huggingface)}/tree/${HF_REVISION}`;
  }
  return `${endpoints.modelscope}/api/v1/models/${repoPath(model.modelscope)}/repo/files?Revision=${MODELSCOPE_REVISION}`;
}

/**
 * The public web page listing a model's files, for people downloading by hand
 * (always the public hub, whatever endpoint is configured).
 */
export function filesPageUrl(source: HubSource, model: RegistryModel): string {
  if (source === 'huggingface') return `${HF_DEFAULT_ENDPOINT}/${model.huggingface}/tree/${HF_REVISION}`;
  return `${MODELSCOPE_DEFAULT_ENDPOINT}/models/${model.modelscope}/files`;
}

/**
 * Reads a sha256 out of a header or listing value: 64 hex digits, possibly quoted,
 * prefixed `W/` or `sha256:`.
 * @returns lowercase hex, or null when the value is not a sha256 (e.g. a git sha1 ETag)
 */
export function normalizeSha256(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let v = value.trim();
  if (v.startsWith('W/')) v = v.slice(2);
  v = v.replace(/^"(.*)"$/, '$1').trim();
  if (v.toLowerCase().startsWith('sha256:')) v = v.slice(7);
  return /^[0-9a-fA-F]{64}$/.test(v) ? v.toLowerCase() : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sizeOf(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/**
 * Parses a hub's file listing into file path -> sha256/size. Unknown shapes give an empty map
 * (the listing is a best-effort source of checksums; the download decides).
 * Hugging Face: `[{ type, path, size, lfs?: { oid, size } }]`;
 * ModelScope: `{ Code, Data: { Files: [{ Path, Name, Size, Sha256, Type }] } }`.
 */
export function parseListing(source: HubSource, body: unknown): Map<string, ListedFile> {
  const out = new Map<string, ListedFile>();
  if (source === 'huggingface') {
    if (!Array.isArray(body)) return out;
    for (const entry of body) {
      if (!isRecord(entry) || typeof entry['path'] !== 'string' || entry['type'] === 'directory') continue;
      const lfs = entry['lfs'];
      const sha = isRecord(lfs) && typeof lfs['oid'] === 'string' ? normalizeSha256(lfs['oid']) : null;
      const size = isRecord(lfs) ? (sizeOf(lfs['size']) ?? sizeOf(entry['size'])) : sizeOf(entry['size']);
      out.set(entry['path'], { sha256: sha, size });
    }
    return out;
  }
  const data = isRecord(body) ? body['Data'] : undefined;
  const files = isRecord(data) ? data['Files'] : undefined;
  if (!Array.isArray(files)) return out;
  for (const entry of files) {
    if (!isRecord(entry) || entry['Type'] === 'tree') continue;
    const p = typeof entry['Path'] === 'string' ? entry['Path'] : typeof entry['Name'] === 'string' ? entry['Name'] : null;
    if (p === null) continue;
    out.set(p, {
      sha256: typeof entry['Sha256'] === 'string' ? normalizeSha256(entry['Sha256']) : null,
      size: sizeOf(entry['Size']),
    });
  }
  return out;
}

/** Where a published sha256 was found. */
export type ShaSource = 'registry' | 'x-linked-etag' | 'etag' | 'listing';

/**
 * The sha256 a hub publishes in the headers of a file response (Hugging Face:
 * `X-Linked-Etag`, or an `ETag` that is a sha256 on the hub's own origin — for LFS
 * files the resolve URL's ETag is the content sha256; for plain git files it is a
 * git sha1 and is ignored).
 * @param hops every response of the redirect chain, first to last
 * @param trustedEtagOrigin origin whose `ETag` may be read as a sha256 (the Hugging Face endpoint), or null
 */
export function shaFromHeaders(
  hops: readonly { url: string; headers: Headers }[],
  trustedEtagOrigin: string | null,
): { sha256: string; source: ShaSource } | null {
  for (const hop of hops) {
    const linked = normalizeSha256(hop.headers.get('x-linked-etag'));
    if (linked !== null) return { sha256: linked, source: 'x-linked-etag' };
  }
  if (trustedEtagOrigin === null) return null;
  for (const hop of hops) {
    if (new URL(hop.url).origin !== trustedEtagOrigin) continue;
    const etag = normalizeSha256(hop.headers.get('etag'));
    if (etag !== null) return { sha256: etag, source: 'etag' };
  }
  return null;
}

/** Size announced by `X-Linked-Size` anywhere in the redirect chain, or null. */
export function linkedSize(hops: readonly { headers: Headers }[]): number | null {
  for (const hop of hops) {
    const v = hop.headers.get('x-linked-size');
    if (v !== null && /^\d+$/.test(v.trim())) return Number(v.trim());
  }
  return null;
}
