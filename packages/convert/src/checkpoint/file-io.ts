/**
 * Positional reads that either fill the whole buffer or fail with a typed error.
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { CheckpointError } from '../errors.js';

/**
 * Reads exactly `target.byteLength` bytes at `position` into `target`.
 * @param file open file
 * @param target bytes to fill (may be a view over a Float32Array's buffer)
 * @param position absolute file offset
 * @param what what is being read, for the error message
 * @throws CheckpointError E2V_ERR_CHECKPOINT_TRUNCATED when the file ends first, E2V_ERR_CHECKPOINT_IO when the read fails
 */
export async function readExactly(file: FileHandle, target: Uint8Array, position: number, what: string): Promise<void> {
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
