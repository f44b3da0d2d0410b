/**
 * A file written front to back after a fixed-size header that is rewritten on close: for
 * formats whose header states the size of data not known in advance (.npy rows, WAV samples).
 * @module
 */
import { open, rm, type FileHandle } from 'node:fs/promises';

/**
 * Writes all of `bytes` at `position`. A write may be short (a disk filling up takes what fits
 * and reports the rest as written); the next call then fails with the system's error (ENOSPC).
 */
async function writeFully(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error(`no byte written at offset ${position + done}`), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** An append-only file behind a header of fixed length. */
export class HeaderedFile {
  #dataBytes = 0;
  #closed = false;

  private constructor(
    private readonly file: FileHandle,
    /** The file's path. */
    readonly path: string,
    /** Length of the header, in bytes. */
    readonly headerBytes: number,
  ) {}

  /**
   * [async] Creates (or truncates) `path` and writes the provisional `header`; removes the file
   * again when that fails.
   */
  static async create(path: string, header: Uint8Array): Promise<HeaderedFile> {
    const file = await open(path, 'w');
    const created = new HeaderedFile(file, path, header.length);
    try {
      await writeFully(file, header, 0);
    } catch (error) {
      await created.discard();
      throw error;
    }
    return created;
  }

  /** Data bytes appended so far. */
  get dataBytes(): number {
    return this.#dataBytes;
  }

  /** [async] Appends bytes after those already written. */
  async append(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error(`${this.path} is closed`);
    await writeFully(this.file, bytes, this.headerBytes + this.#dataBytes);
    this.#dataBytes += bytes.length;
  }

  /**
   * [async] Writes the final header and closes the file.
   * @param header the same length as the provisional one
   */
  async close(header: Uint8Array): Promise<void> {
    if (this.#closed) return;
    if (header.length !== this.headerBytes) throw new RangeError(`Expected a header of ${this.headerBytes} bytes but received ${header.length}`);
    this.#closed = true;
    try {
      await writeFully(this.file, header, 0);
    } finally {
      await this.file.close();
    }
  }

  /** [async] Closes and deletes the file (after a failure); never throws. */
  async discard(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.file.close().catch(() => undefined);
    }
    await rm(this.path, { force: true }).catch(() => undefined);
  }
}
