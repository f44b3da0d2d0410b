/**
 * Gradio's FileData: how every file travels, in and out. Output FileData points at a file the
 * server wrote; input FileData must point at a file the server owns (an upload, an example or an
 * output), or carry the bytes inline (Gradio 3 base64 data URLs, stored as uploads within the
 * upload size limit as soon as the call arrives). URLs are never fetched.
 * @module
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { HttpError, tooLarge } from '../errors.js';
import { exampleAtUrl, examplePath } from '../examples.js';
import type { FileStore } from '../storage/file-store.js';
import { GRADIO_API_PREFIX } from './constants.js';

/** A FileData as it goes out. */
export interface FileData {
  path: string;
  url: string;
  size: number;
  orig_name: string;
  mime_type: string;
  is_stream: false;
  meta: { _type: 'gradio.FileData' };
}

const MIME_BY_EXTENSION: Record<string, string> = {
  '.json': 'application/json',
  '.npy': 'application/octet-stream',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.webm': 'audio/webm',
  '.m4a': 'audio/mp4',
};

/** The content type the server gives a file, by its extension (unknown: octet-stream). */
export function mimeTypeOf(path: string): string {
  return MIME_BY_EXTENSION[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The `file=` URL of a server path under `root`. */
export function fileUrl(root: string, path: string): string {
  return `${root}${GRADIO_API_PREFIX}/file=${path}`;
}

/**
 * Output FileData of a file the server wrote.
 * @param root root URL of the request (no trailing slash)
 * @param path absolute path
 */
export async function toFileData(root: string, path: string): Promise<FileData> {
  const { size } = await stat(path);
  return { path, url: fileUrl(root, path), size, orig_name: basename(path), mime_type: mimeTypeOf(path), is_stream: false, meta: { _type: 'gradio.FileData' } };
}

const DATA_URL = /^data:[^,;]*(?:;[^,;]*)*;base64,/;

function badInput(message: string): HttpError {
  return new HttpError(400, 'E2V_ERR_HTTP_BAD_INPUT', message);
}

/**
 * Stores the audio of a Gradio 3 input given inline (a file object `{ name, data: 'data:...;base64,...' }`
 * or a bare data URL) as an upload, so that no queued call holds audio in memory.
 * @param value the input as the client sent it
 * @param store the server's folders
 * @param limit most bytes of the decoded audio (`maxUploadBytes`)
 * @returns FileData of the stored upload, or `value` itself when it carries no data URL
 * @throws HttpError 400 for data that is not base64, 413 over `limit`, 507 / 500 when it cannot be stored
 */
export async function storeInlineAudio(value: unknown, store: FileStore, limit: number): Promise<unknown> {
  if (typeof value === 'string' && DATA_URL.test(value)) return { path: await storeDataUrl(value, undefined, store, limit) };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.data !== 'string' || !DATA_URL.test(record.data)) return value;
  return { path: await storeDataUrl(record.data, typeof record.name === 'string' ? record.name : undefined, store, limit) };
}

/**
 * The server path of an audio input: a FileData whose `path` the server owns (inline audio was
 * stored by {@link storeInlineAudio} already), or the URL of one of the server's examples under
 * `root` (/info's `example_input`; nothing is fetched).
 * @param value the input
 * @param store the server's folders
 * @param root root URL of the request
 * @throws HttpError 400 for a missing or malformed value or another URL, 403 for a path the server does not own
 */
export async function resolveAudioInput(value: unknown, store: FileStore, root: string): Promise<string> {
  if (value === null || value === undefined) throw badInput('No audio was given: upload an audio file first');
  if (typeof value === 'string') throw badInput('The audio input must be a file (FileData with a path returned by /upload), not a string');
  if (typeof value !== 'object' || Array.isArray(value)) throw badInput('The audio input must be a FileData object');
  const record = value as Record<string, unknown>;
  if (record.type === 'command') throw badInput('The file upload failed on the client side (a raw upload command was sent instead of a file)');
  const path = record.path ?? record.name;
  if (typeof path !== 'string' || path === '') throw badInput('The audio FileData has no path: upload the file to /gradio_api/upload first');
  const example = exampleAtUrl(path, root);
  if (example !== undefined) return examplePath(store.folders.examplesDir, example);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw badInput('e2v does not download URLs given by clients: upload the audio file to /gradio_api/upload and send the returned path');
  }
  return store.resolveOwned(path);
}

async function storeDataUrl(dataUrl: string, name: string | undefined, store: FileStore, limit: number): Promise<string> {
  const base64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  if (!/^[A-Za-z0-9+/=\s]*$/.test(base64)) throw badInput('The data URL is not valid base64');
  if (Buffer.byteLength(base64, 'base64') > limit) throw tooLarge(limit);
  return store.saveUpload(Buffer.from(base64, 'base64'), name);
}
