/**
 * Appends that are whole or absent: a record's lines are appended to one or more files, and when
 * any write fails (a full disk, a quota, a file size limit, an I/O error) every file touched is
 * truncated back to the size it had, so no file keeps a torn or a lone line.
 * @module
 */
import { open, truncate } from 'node:fs/promises';

/** Text to append to one file. */
export interface Append {
  path: string;
  text: string;
}

/**
 * [async] Appends each `text` to its `path`, in order; all of them or none.
 * @param appends the files and their text
 * @throws the first file system error, after every touched file is back to its earlier size
 */
export async function appendWhole(appends: readonly Append[]): Promise<void> {
  const touched: { path: string; size: number }[] = [];
  try {
    for (const { path, text } of appends) {
      const handle = await open(path, 'a');
      try {
        touched.push({ path, size: (await handle.stat()).size });
        await handle.appendFile(text);
      } finally {
        await handle.close();
      }
    }
  } catch (error) {
    // Newest first, so a file named twice ends at its first size. Truncating frees space, so it
    // works on a full disk; should it fail anyway, the torn line is cut when the folder is opened
    // again (BatchStore.open), and the write's error is still the one reported.
    for (const { path, size } of touched.reverse()) await truncate(path, size).catch(() => undefined);
    throw error;
  }
}
