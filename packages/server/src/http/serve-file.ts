/**
 * Sends a file the server owns as a download: `Content-Disposition: attachment`,
 * `X-Content-Type-Options: nosniff`, a content type from a short allow-list (never HTML or SVG,
 * so nothing uploaded can run as a page), `Accept-Ranges` and single `Range` requests (206/416).
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { mimeTypeOf } from '../gradio/file-data.js';

function contentDisposition(path: string): string {
  const name = basename(path);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Parses `bytes=a-b` / `bytes=a-` / `bytes=-n` for a file of `size` bytes; null when not satisfiable. */
function parseRange(header: string, size: number): { start: number; end: number } | null | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined; // not a single range we serve: send the whole file
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return null;
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start > end || start >= size) return null;
  return { start, end };
}

/**
 * The response for a file (already resolved and allowed).
 * @param path real path of the file
 * @param request the request (method and Range header)
 */
export async function serveFile(path: string, request: Request): Promise<Response> {
  const { size } = await stat(path);
  const headers: Record<string, string> = {
    'Content-Type': mimeTypeOf(path),
    'Content-Disposition': contentDisposition(path),
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, max-age=0',
  };
  const rangeHeader = request.headers.get('range');
  const range = rangeHeader === null ? undefined : parseRange(rangeHeader, size);
  if (range === null) return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const length = size === 0 ? 0 : end - start + 1;
  const status = range === undefined ? 200 : 206;
  if (range !== undefined) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  headers['Content-Length'] = String(length);
  if (request.method === 'HEAD' || length === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}
