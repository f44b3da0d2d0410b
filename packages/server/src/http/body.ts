/**
 * Reading request bodies within limits: JSON (in memory), a raw body and multipart/form-data files
 * (busboy; streamed to temporary files of the uploads folder, never held in memory), with caps on
 * file size, file count, part count and file-name length, and a {@link BodyBudget} on the bodies
 * read at once. Every violation is an HttpError (400, 413, 415, 503, 507), never a crash or an
 * unbounded read.
 * @module
 */
import { PassThrough, Readable, Transform, pipeline } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { HttpError, tooLarge } from '../errors.js';
import type { FileStore } from '../storage/file-store.js';
import { bodyAborted, type IncomingFile } from '../storage/incoming-file.js';
import { BodyBudget, type BodyTicket } from './body-budget.js';
import type { RequestLimits } from './limits.js';
import type { NodeExchange } from './node-request.js';

/** One file of a multipart request, received into a temporary file. */
export interface UploadedFile extends IncomingFile {
  /** Form field name. */
  field: string;
  /** File name the client gave (untrusted). */
  filename: string;
  /** Content type the client gave (untrusted). */
  mimeType: string;
}

/** A parsed multipart request. */
export interface MultipartBody {
  files: UploadedFile[];
  fields: Record<string, string>;
}

/** JSON beyond a data URL of the largest upload: the rest of the call (names, options). */
const JSON_OVERHEAD_BYTES = 64 * 1024;

/** The `Content-Length` of a request, or undefined when it does not declare one. */
function declaredLength(request: Request): number | undefined {
  const header = request.headers.get('content-length');
  return header === null || !/^\d+$/.test(header) ? undefined : Number(header);
}

/** True when the request says it carries multipart/form-data. */
export function isMultipart(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
}

/**
 * Refuses a request whose declared length is over `limit` before anything is read.
 * @throws HttpError 413 `E2V_ERR_HTTP_TOO_LARGE`
 */
export function checkDeclaredLength(request: Request, limit: number): void {
  if ((declaredLength(request) ?? 0) > limit) throw tooLarge(limit);
}

/**
 * Reads the bodies of one server: its limits, its budgets, its uploads folder. Each method takes
 * the web Request and, when the server runs on Node, the Node request and response (see
 * `nodeRequest`): the body is read from the request with backpressure, and a client that sent
 * `Expect: 100-continue` is told to go on only then, so a refused one never sends its body.
 */
export class BodyReader {
  private readonly uploads: BodyBudget;
  private readonly jsonBodies: BodyBudget;

  /**
   * @param limits the server's limits
   * @param store where uploads are received
   */
  constructor(
    readonly limits: RequestLimits,
    private readonly store: FileStore,
  ) {
    this.uploads = new BodyBudget('uploads', limits.maxConcurrentUploads, limits.maxUploadBytesInFlight);
    this.jsonBodies = new BodyBudget('JSON bodies', limits.maxConcurrentJsonBodies, limits.maxJsonBytesInFlight);
  }

  /** The largest JSON body: `maxJsonBytes`, but never more than a base64 data URL of `maxUploadBytes` needs. */
  get maxJsonBytes(): number {
    return Math.min(this.limits.maxJsonBytes, Math.ceil(this.limits.maxUploadBytes / 3) * 4 + JSON_OVERHEAD_BYTES);
  }

  /**
   * Reads a JSON body (any content type).
   * @throws HttpError 400 `E2V_ERR_HTTP_BAD_JSON` when it does not parse, `E2V_ERR_HTTP_BODY_ABORTED`
   *   when the client stops sending; 413 over {@link maxJsonBytes}; 503 `E2V_ERR_HTTP_BUSY`
   */
  async json(request: Request, node?: NodeExchange): Promise<unknown> {
    const limit = this.maxJsonBytes;
    checkDeclaredLength(request, limit);
    const declared = declaredLength(request);
    const ticket = this.jsonBodies.admit(declared);
    let bytes: Buffer;
    try {
      bytes = await readBytes(bodySource(request, node, declared === undefined ? ticket : undefined), limit);
    } finally {
      ticket.release();
    }
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch {
      throw new HttpError(400, 'E2V_ERR_HTTP_BAD_JSON', 'The request body is not valid JSON');
    }
  }

  /**
   * Streams a raw body (at most `maxUploadBytes`) into a temporary file of the uploads folder.
   * @throws HttpError 413, 400 `E2V_ERR_HTTP_BODY_ABORTED`, 503 `E2V_ERR_HTTP_BUSY`, 507 / 500 (storage)
   */
  async file(request: Request, node?: NodeExchange): Promise<IncomingFile> {
    const limit = this.limits.maxUploadBytes;
    checkDeclaredLength(request, limit);
    const declared = declaredLength(request);
    const ticket = this.uploads.admit(declared);
    try {
      return await this.store.receive(bodySource(request, node, declared === undefined ? ticket : undefined), limit);
    } finally {
      ticket.release();
    }
  }

  /**
   * Parses a multipart/form-data body; each file streams into a temporary file of the uploads
   * folder (the caller keeps or discards them; on failure none is left).
   * @throws HttpError 400 (`E2V_ERR_HTTP_NOT_MULTIPART`, `_BAD_MULTIPART`, `_TOO_MANY_PARTS`,
   *   `_FILENAME_TOO_LONG`, `_BODY_ABORTED`), 413 (`E2V_ERR_HTTP_TOO_LARGE`), 503 `E2V_ERR_HTTP_BUSY`,
   *   507 / 500 (storage)
   */
  async multipart(request: Request, node?: NodeExchange): Promise<MultipartBody> {
    // (`request.body` is not touched when the Node request is there: reading it starts a copy)
    if (!isMultipart(request) || (node === undefined && request.body === null)) {
      throw new HttpError(400, 'E2V_ERR_HTTP_NOT_MULTIPART', 'Invalid content type: expected multipart/form-data');
    }
    const { limits } = this;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: Object.fromEntries(request.headers.entries()),
        // clients send file names as UTF-8 (RFC 7578; browsers, Gradio's clients); busboy's default is latin1
        defParamCharset: 'utf8',
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
    const declared = declaredLength(request);
    const ticket = this.uploads.admit(declared);
    try {
      return await this.parseMultipart(bodySource(request, node, declared === undefined ? ticket : undefined), parser);
    } finally {
      ticket.release();
    }
  }

  private parseMultipart(source: Readable, parser: busboy.Busboy): Promise<MultipartBody> {
    const { limits } = this;
    const fields: Record<string, string> = {};
    const receiving: Promise<UploadedFile | undefined>[] = [];
    const active = new Set<Readable>();
    let failure: HttpError | undefined;
    let settling = false;
    return new Promise<MultipartBody>((resolvePromise, reject) => {
      /** Once: waits for the files being written, then resolves, or discards them and rejects. */
      const settle = async (): Promise<void> => {
        if (settling) return;
        settling = true;
        const files = (await Promise.all(receiving)).filter((file): file is UploadedFile => file !== undefined);
        await new Promise((next) => setImmediate(next)); // a failure deferred by a part's error
        if (failure === undefined) {
          resolvePromise({ files, fields });
          return;
        }
        await Promise.all(files.map((file) => this.store.discard(file)));
        reject(failure);
      };
      const fail = (error: HttpError): void => {
        if (failure !== undefined) return;
        failure = error;
        source.unpipe(parser);
        source.destroy();
        for (const stream of active) stream.destroy(error);
        void settle();
      };
      const malformed = (error: Error): void => fail(new HttpError(400, 'E2V_ERR_HTTP_BAD_MULTIPART', `Malformed multipart request: ${error.message}`));
      const partsLimit = (): void =>
        fail(new HttpError(400, 'E2V_ERR_HTTP_TOO_MANY_PARTS', `Too many parts: at most ${limits.maxFiles} files and ${limits.maxParts} parts`));
      parser.on('file', (field, stream, info) => {
        if (failure !== undefined) {
          stream.resume();
          return;
        }
        if ((info.filename ?? '').length > limits.maxFilenameLength) {
          stream.resume();
          fail(new HttpError(400, 'E2V_ERR_HTTP_FILENAME_TOO_LONG', `File name too long: at most ${limits.maxFilenameLength} characters`));
          return;
        }
        active.add(stream);
        stream.on('limit', () => fail(tooLarge(limits.maxUploadBytes)));
        const received = this.store.receive(stream, limits.maxUploadBytes).then(
          (file): UploadedFile => ({ ...file, field, filename: info.filename ?? '', mimeType: info.mimeType }),
          (error: HttpError) => {
            // A part cut short is reported by the parser or the request stream in the same turn,
            // with a better reason: let theirs win.
            if (error.code === 'E2V_ERR_HTTP_BODY_ABORTED') setImmediate(() => fail(error));
            else fail(error);
            return undefined;
          },
        );
        receiving.push(received.finally(() => active.delete(stream)));
      });
      parser.on('field', (name, value, info) => {
        if (info.valueTruncated || info.nameTruncated) fail(new HttpError(400, 'E2V_ERR_HTTP_BAD_MULTIPART', `Form field '${name.slice(0, 50)}' is too long`));
        else fields[name] = value;
      });
      parser.on('filesLimit', partsLimit);
      parser.on('partsLimit', partsLimit);
      parser.on('fieldsLimit', partsLimit);
      parser.on('error', malformed);
      parser.on('close', () => void settle());
      source.on('error', (error) => fail(error instanceof HttpError ? error : bodyAborted(error)));
      source.pipe(parser);
    });
  }
}

/**
 * The body of a Node request as a stream of its own: destroying it (a refused body) leaves the
 * connection open for the answer; the client cutting the connection fails it. A client waiting
 * for `100 Continue` gets it now.
 */
function detached({ incoming, outgoing }: NodeExchange): Readable {
  const body = new PassThrough();
  incoming.once('error', (error) => body.destroy(error));
  incoming.once('close', () => {
    if (!incoming.complete) body.destroy(new Error('the client closed the connection before the end of the body'));
  });
  if ((incoming.headers.expect ?? '').toLowerCase() === '100-continue') outgoing.writeContinue();
  return incoming.pipe(body);
}

/**
 * The request body as a Node stream; with a ticket, every chunk is charged to it (bodies that
 * declare no length).
 */
function bodySource(request: Request, node: NodeExchange | undefined, ticket: BodyTicket | undefined): Readable {
  const body =
    node !== undefined ? detached(node) : request.body === null ? Readable.from([]) : Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>);
  if (ticket === undefined) return body;
  const charged = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        ticket.charge(chunk.byteLength);
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
  });
  return pipeline(body, charged, () => undefined);
}

/** Reads a whole body into memory, at most `limit` bytes. */
function readBytes(source: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    source.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        source.destroy(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    source.once('end', () => resolve(Buffer.concat(chunks, total)));
    source.once('error', (error) => reject(error instanceof HttpError ? error : bodyAborted(error)));
  });
}
