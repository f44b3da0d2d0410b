/**
 * Positional reads that either fill the whole buffer or fail with a typed error.
 * @module
 */
import { CheckpointError } from '../errors.js';

/** What positional reads need of an open file (a `FileHandle` has it). */
export interface ReadableFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** A file whose reads are counted. */
export interface CountedFile extends ReadableFile {
  /** Bytes read so far. */
  readonly bytesRead: number;
}

/** Wraps `file` so every read adds to `bytesRead` (how much of a checkpoint a conversion reads). */
export function countingReads(file: ReadableFile): CountedFile {
  let total = 0;
  return {
    get bytesRead() {
      return total;
    },
    async read(buffer, offset, length, position) {
      const result = await file.read(buffer, offset, length, position);
      total += result.bytesRead;
      return result;
    },
  };
}

/**
 * Reads exactly `target.byteLength` bytes at `position` into `target`.
 * @param file open file
 * @param target bytes to fill (may be a view over a Float32Array's buffer)
 * @param position absolute file offset
 * @param what what is being read, for the error message
 * @throws CheckpointError E2V_ERR_CHECKPOINT_TRUNCATED when the file ends first, E2V_ERR_CHECKPOINT_IO when the read fails
 */
export async function readExactly(file: ReadableFile, target: Uint8Array, position: number, what: string): Promise<void> {
  let done = 0;
  while (done < target.byteLength) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await file.read(target, done, target.byteLength - done, position + done));
    } catch (cause) {
      throw new CheckpointError('E2V_ERR_CHECKPOINT_IO', `cannot read ${what}: ${(cause as Error).message}`, { cause });
    }
    if (bytesRead === 0) {
      throw new CheckpointError(
        'E2V_ERR_CHECKPOINT_TRUNCATED',
        `file ends inside ${what} (needed ${target.byteLength} bytes at offset ${position}, got ${done})`,
      );
    }
    done += bytesRead;
  }
}
