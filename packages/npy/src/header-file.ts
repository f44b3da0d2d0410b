/**
 * A file written front to back after a fixed-size header that is rewritten on close: for
 * formats whose header states the size of data not known in advance (.npy rows, WAV samples).
 * @module
 */
import { open, rm, type FileHandle } from 'node:fs/promises';

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
      await file.write(header, 0, header.length, 0);
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
    await this.file.write(bytes, 0, bytes.length, this.headerBytes + this.#dataBytes);
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
      await this.file.write(header, 0, header.length, 0);
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
