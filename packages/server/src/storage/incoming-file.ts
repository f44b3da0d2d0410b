/**
 * Receiving one file from a client: the bytes stream into a hidden temporary file
 * (`.incoming-<random>`) of the destination folder while their sha256 is computed, so memory
 * stays at a few stream buffers whatever the size; the size limit is enforced while reading. On
 * any failure the temporary file is deleted and the error is typed: 413 over the limit, 400 when
 * the client stopped sending, 507 when the disk is full, 500 for another write error.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError, RETRY_AFTER_S, tooLarge } from '../errors.js';
import { isDiskFull } from './storage-health.js';

/** Prefix of the temporary files uploads are received into. */
export const INCOMING_PREFIX = '.incoming-';

/** A file received whole, under its temporary name. */
export interface IncomingFile {
  /** The temporary file (a dot-file: no client can name it). */
  path: string;
  /** sha256 of the content, hex. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** 400 `E2V_ERR_HTTP_BODY_ABORTED`: the client stopped sending the body. */
export function bodyAborted(cause: unknown): HttpError {
  return new HttpError(400, 'E2V_ERR_HTTP_BODY_ABORTED', 'The request body was interrupted before its end', {}, { cause });
}

/**
 * The typed error of a failed write to the uploads folder: 507 `E2V_ERR_HTTP_UPLOADS_FULL` (with
 * Retry-After) when the disk or quota is full, else 500 `E2V_ERR_HTTP_UPLOAD_WRITE`.
 * @param cause the file system's error
 */
export function uploadWriteError(cause: unknown): HttpError {
  if (isDiskFull(cause)) {
    return new HttpError(
      507,
      'E2V_ERR_HTTP_UPLOADS_FULL',
      "The server's upload storage is full; retry later",
      { 'Retry-After': String(RETRY_AFTER_S) },
      { cause },
    );
  }
  return new HttpError(500, 'E2V_ERR_HTTP_UPLOAD_WRITE', 'The upload could not be stored (see the server log)', {}, { cause });
}

/**
 * Streams `source` into a new temporary file in `dir`.
 * @param source the bytes (a request body, a multipart file part)
 * @param dir the folder (the uploads folder, so that a later rename is atomic)
 * @param limit most bytes
 * @throws HttpError 413 over `limit`, 400 `E2V_ERR_HTTP_BODY_ABORTED` when `source` fails,
 *   507 / 500 from {@link uploadWriteError}; nothing is left on disk then
 */
export async function receiveFile(source: Readable, dir: string, limit: number): Promise<IncomingFile> {
  const path = join(dir, `${INCOMING_PREFIX}${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.byteLength;
      if (size > limit) {
        done(tooLarge(limit));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const sink = createWriteStream(path, { flags: 'wx' });
  // The stream that fails first is where the error comes from (pipeline passes it on to the others).
  let origin: 'file' | 'body' | undefined;
  source.once('error', () => (origin ??= 'body'));
  meter.once('error', () => (origin ??= 'body'));
  sink.once('error', () => (origin ??= 'file'));
  try {
    await pipeline(source, meter, sink);
    return { path, sha256: hash.digest('hex'), size };
  } catch (error) {
    await rm(path, { force: true }).catch(() => undefined);
    if (origin === 'file') throw uploadWriteError(error);
    if (error instanceof HttpError) throw error;
    throw bodyAborted(error);
  }
}
