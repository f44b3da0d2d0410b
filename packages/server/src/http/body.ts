/**
 * Reading request bodies within limits: raw bytes, JSON and multipart/form-data (busboy, with
 * caps on file size, file count, part count and file-name length). Every violation is an
 * HttpError (400, 413 or 415), never a crash or an unbounded read.
 * @module
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { HttpError } from '../errors.js';
import type { RequestLimits } from './limits.js';

/** One file of a multipart request. */
export interface UploadedFile {
  /** Form field name. */
  field: string;
  /** File name the client gave (untrusted). */
  filename: string;
  /** Content type the client gave (untrusted). */
  mimeType: string;
  bytes: Uint8Array;
}

/** A parsed multipart request. */
export interface MultipartBody {
  files: UploadedFile[];
  fields: Record<string, string>;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'E2V_ERR_HTTP_TOO_LARGE', `Upload too large: the limit is ${limit} bytes`);
}

/**
 * Reads a whole body as bytes, refusing more than `limit` bytes (413) without reading the rest.
 * @param request the request
 * @param limit most bytes
 */
export async function readRawBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON body (any content type), at most `limit` bytes.
 * @throws HttpError 400 `E2V_ERR_HTTP_BAD_JSON` when it does not parse, 413 when too large
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const bytes = await readRawBody(request, limit);
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'E2V_ERR_HTTP_BAD_JSON', 'The request body is not valid JSON');
  }
}

/** True when the request says it carries multipart/form-data. */
export function isMultipart(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
}

/**
 * Parses a multipart/form-data body within `limits`.
 * @throws HttpError 400 (`E2V_ERR_HTTP_BAD_MULTIPART`, `_TOO_MANY_PARTS`, `_FILENAME_TOO_LONG`), 413
 *   (`E2V_ERR_HTTP_TOO_LARGE`), 415 when it is not multipart
 */
export async function readMultipart(request: Request, limits: RequestLimits): Promise<MultipartBody> {
  if (!isMultipart(request) || request.body === null) {
    throw new HttpError(400, 'E2V_ERR_HTTP_NOT_MULTIPART', 'Invalid content type: expected multipart/form-data');
  }
  const headers = Object.fromEntries(request.headers.entries());
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers,
      limits: {
        fileSize: limits.maxUploadBytes,
        files: limits.maxFiles,
        parts: limits.maxParts,
        fields: limits.maxParts,
        fieldSize: 1024 * 1024,
        fieldNameSize: 200,
        headerPairs: 50,
      },
    });
  } catch (error) {
    throw new HttpError(400, 'E2V_ERR_HTTP_BAD_MULTIPART', `Malformed multipart request: ${(error as Error).message}`);
  }
  const body: MultipartBody = { files: [], fields: {} };
  const source = Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>);
  return new Promise<MultipartBody>((resolvePromise, reject) => {
    let failed = false;
    const fail = (error: HttpError): void => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      source.destroy();
      reject(error);
    };
    const partsLimit = (): void => fail(new HttpError(400, 'E2V_ERR_HTTP_TOO_MANY_PARTS', `Too many parts: at most ${limits.maxFiles} files and ${limits.maxParts} parts`));
    parser.on('file', (field, stream, info) => {
      if ((info.filename ?? '').length > limits.maxFilenameLength) {
        stream.resume();
        fail(new HttpError(400, 'E2V_ERR_HTTP_FILENAME_TOO_LONG', `File name too long: at most ${limits.maxFilenameLength} characters`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge(limits.maxUploadBytes)));
      stream.on('error', (error: Error) => fail(new HttpError(400, 'E2V_ERR_HTTP_BAD_MULTIPART', `Malformed multipart request: ${error.message}`)));
      stream.on('close', () => {
        if (!failed) body.files.push({ field, filename: info.filename ?? '', mimeType: info.mimeType, bytes: Buffer.concat(chunks) });
      });
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) fail(new HttpError(400, 'E2V_ERR_HTTP_BAD_MULTIPART', `Form field '${name.slice(0, 50)}' is too long`));
      else body.fields[name] = value;
    });
    parser.on('filesLimit', partsLimit);
    parser.on('partsLimit', partsLimit);
    parser.on('fieldsLimit', partsLimit);
    parser.on('error', (error: Error) => fail(new HttpError(400, 'E2V_ERR_HTTP_BAD_MULTIPART', `Malformed multipart request: ${error.message}`)));
    parser.on('close', () => {
      if (!failed) resolvePromise(body);
    });
    source.on('error', (error) => fail(new HttpError(400, 'E2V_ERR_HTTP_BAD_MULTIPART', `Upload interrupted: ${error.message}`)));
    source.pipe(parser);
  });
}
