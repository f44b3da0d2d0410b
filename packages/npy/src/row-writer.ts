/**
 * A 2-D float32 .npy file written a block of rows at a time, for arrays too large to hold in
 * memory whose row count is known only at the end (frame embeddings of a long input). The header
 * is written first with room for any row count, and rewritten with the real shape on close.
 * @module
 */
import { HeaderedFile } from './header-file.js';
import { npyHeader } from './write.js';

/** Appends rows of `columns` float32 values to a .npy file; {@link close} makes it a valid (rows, columns) array. */
export class NpyRowWriter {
  private constructor(
    private readonly file: HeaderedFile,
    /** Values per row. */
    readonly columns: number,
  ) {}

  /**
   * [async] Creates (or truncates) the file at `path` and writes a provisional header.
   * @param path where to write (write it under a temporary name and rename it when complete)
   * @param columns values per row (a positive integer)
   * @throws RangeError for a bad column count; the file system's error when the file cannot be created
   */
  static async create(path: string, columns: number): Promise<NpyRowWriter> {
    if (!Number.isSafeInteger(columns) || columns < 1) throw new RangeError(`Expected a positive integer for columns but received ${columns}`);
    // room for a shape of (2^53 - 1, columns)
    const headerBytes = npyHeader('<f4', [Number.MAX_SAFE_INTEGER, columns]).length;
    return new NpyRowWriter(await HeaderedFile.create(path, npyHeader('<f4', [0, columns], headerBytes)), columns);
  }

  /** The file's path. */
  get path(): string {
    return this.file.path;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.file.dataBytes / 4 / this.columns;
  }

  /**
   * [async] Appends whole rows (C order).
   * @throws RangeError when `rows.length` is not a multiple of `columns`; the file system's error
   */
  async append(rows: Float32Array): Promise<void> {
    if (rows.length % this.columns !== 0) throw new RangeError(`Expected a multiple of ${this.columns} values for rows but received ${rows.length}`);
    await this.file.append(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  }

  /** [async] Writes the final header (shape (rows, columns)) and closes the file. */
  close(): Promise<void> {
    return this.file.close(npyHeader('<f4', [this.rows, this.columns], this.file.headerBytes));
  }

  /** [async] Closes and deletes the file (after a failure); never throws. */
  discard(): Promise<void> {
    return this.file.discard();
  }
}
