/**
 * Reads the central directory of a zip archive (with zip64) and locates the
 * data of stored entries, without reading any entry's data.
 * @module
 */
import { CheckpointError } from '../errors.js';
import { readExactly, type ReadableFile } from './file-io.js';
import { FLAG_ENCRYPTED, METHOD_STORED, SIG, SIZE, U16_MAX, U32_MAX, ZIP64_EXTRA_ID } from './zip-format.js';

/** One entry of the central directory. */
export interface ZipEntry {
  /** Full name inside the archive, e.g. `model/data/0`. */
  name: string;
  /** Compression method (0 = stored). */
  method: number;
  /** General-purpose flags. */
  flags: number;
  /** Size of the entry's data in the file. */
  compressedSize: number;
  /** Size of the entry's content. */
  size: number;
  /** Offset of the entry's local file header. */
  localHeaderOffset: number;
}

/** Largest central directory accepted (a torch checkpoint with thousands of tensors needs well under 1 MiB). */
export const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;

function corrupt(message: string): CheckpointError {
  return new CheckpointError('E2V_ERR_CHECKPOINT_ZIP_CORRUPT', message);
}

async function readAt(file: ReadableFile, position: number, length: number, what: string): Promise<DataView> {
  const bytes = new Uint8Array(length);
  await readExactly(file, bytes, position, what);
  return new DataView(bytes.buffer);
}

function u64(view: DataView, offset: number, what: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} is out of range (${value})`);
  return Number(value);
}

/** Locates the end-of-central-directory record; returns its absolute offset. */
async function findEnd(file: ReadableFile, fileSize: number): Promise<{ at: number; view: DataView }> {
  const notZip = (): CheckpointError =>
    new CheckpointError(
      'E2V_ERR_CHECKPOINT_NOT_ZIP',
      'not a zip archive (no end-of-central-directory record); torch.save files are zip archives since torch 1.6 — ' +
        'an older (legacy) torch.save file must be re-saved with a current torch',
    );
  if (fileSize < SIZE.END) throw notZip();
  const tailLength = Math.min(fileSize, SIZE.END + U16_MAX);
  const tailStart = fileSize - tailLength;
  const tail = await readAt(file, tailStart, tailLength, 'the end of the zip archive');
  for (let i = tailLength - SIZE.END; i >= 0; i--) {
    if (tail.getUint32(i, true) === SIG.END && i + SIZE.END + tail.getUint16(i + 20, true) === tailLength) {
      return { at: tailStart + i, view: new DataView(tail.buffer, i, SIZE.END) };
    }
  }
  throw notZip();
}

/** Where the central directory is and how many entries it has (zip64 aware). */
async function centralDirectoryBounds(file: ReadableFile, fileSize: number): Promise<{ count: number; offset: number; size: number; end: number }> {
  const { at, view } = await findEnd(file, fileSize);
  if (at >= SIZE.ZIP64_LOCATOR) {
    const locator = await readAt(file, at - SIZE.ZIP64_LOCATOR, SIZE.ZIP64_LOCATOR, 'the zip64 locator');
    if (locator.getUint32(0, true) === SIG.ZIP64_LOCATOR) {
      const endAt = u64(locator, 8, 'zip64 end record offset');
      if (endAt + SIZE.ZIP64_END > at - SIZE.ZIP64_LOCATOR) throw corrupt(`zip64 end record offset ${endAt} is out of range`);
      const end64 = await readAt(file, endAt, SIZE.ZIP64_END, 'the zip64 end record');
      if (end64.getUint32(0, true) !== SIG.ZIP64_END) throw corrupt(`no zip64 end record at offset ${endAt}`);
      return {
        count: u64(end64, 32, 'zip64 entry count'),
        size: u64(end64, 40, 'zip64 central directory size'),
        offset: u64(end64, 48, 'zip64 central directory offset'),
        end: endAt,
      };
    }
  }
  const count = view.getUint16(10, true);
  const size = view.getUint32(12, true);
  const offset = view.getUint32(16, true);
  if (count === U16_MAX || size === U32_MAX || offset === U32_MAX) {
    throw corrupt('the end record points to zip64 values but the archive has no zip64 locator');
  }
  return { count, size, offset, end: at };
}

/** Applies the zip64 extended-information extra field to the 32-bit fields set to 0xffffffff. */
function applyZip64Extra(entry: ZipEntry, extra: DataView): void {
  const needs = [entry.size === U32_MAX, entry.compressedSize === U32_MAX, entry.localHeaderOffset === U32_MAX];
  if (!needs.some(Boolean)) return;
  let pos = 0;
  while (pos + 4 <= extra.byteLength) {
    const id = extra.getUint16(pos, true);
    const length = extra.getUint16(pos + 2, true);
    if (pos + 4 + length > extra.byteLength) break;
    if (id === ZIP64_EXTRA_ID) {
      let field = pos + 4;
      const next = (what: string): number => {
        if (field + 8 > pos + 4 + length) throw corrupt(`zip64 extra field of ${entry.name} is too short for ${what}`);
        const value = u64(extra, field, `${what} of ${entry.name}`);
        field += 8;
        return value;
      };
      if (needs[0]) entry.size = next('the size');
      if (needs[1]) entry.compressedSize = next('the compressed size');
      if (needs[2]) entry.localHeaderOffset = next('the local header offset');
      return;
    }
    pos += 4 + length;
  }
  throw corrupt(`entry ${entry.name} has 32-bit fields set to 0xffffffff but no zip64 extra field`);
}

/**
 * Reads the central directory.
 * @param file open archive
 * @param fileSize size of the archive in bytes
 * @returns entries by name
 * @throws CheckpointError E2V_ERR_CHECKPOINT_NOT_ZIP, E2V_ERR_CHECKPOINT_ZIP_CORRUPT,
 *   E2V_ERR_CHECKPOINT_TOO_LARGE (central directory above {@link MAX_CENTRAL_DIRECTORY_BYTES}),
 *   E2V_ERR_CHECKPOINT_TRUNCATED, E2V_ERR_CHECKPOINT_IO
 */
export async function readZipDirectory(file: ReadableFile, fileSize: number): Promise<Map<string, ZipEntry>> {
  const bounds = await centralDirectoryBounds(file, fileSize);
  if (bounds.size > MAX_CENTRAL_DIRECTORY_BYTES) {
    throw new CheckpointError('E2V_ERR_CHECKPOINT_TOO_LARGE', `zip central directory is ${bounds.size} bytes (limit ${MAX_CENTRAL_DIRECTORY_BYTES})`);
  }
  if (bounds.offset + bounds.size > bounds.end) {
    throw corrupt(`central directory (offset ${bounds.offset}, ${bounds.size} bytes) overlaps the end records`);
  }
  const directory = await readAt(file, bounds.offset, bounds.size, 'the zip central directory');
  const decoder = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  let pos = 0;
  for (let i = 0; i < bounds.count; i++) {
    if (pos + SIZE.CENTRAL > directory.byteLength || directory.getUint32(pos, true) !== SIG.CENTRAL) {
      throw corrupt(`central directory entry ${i} of ${bounds.count} is missing or damaged`);
    }
    const nameLength = directory.getUint16(pos + 28, true);
    const extraLength = directory.getUint16(pos + 30, true);
    const commentLength = directory.getUint16(pos + 32, true);
    const next = pos + SIZE.CENTRAL + nameLength + extraLength + commentLength;
    if (next > directory.byteLength) throw corrupt(`central directory entry ${i} runs past the directory`);
    const name = decoder.decode(new Uint8Array(directory.buffer, pos + SIZE.CENTRAL, nameLength));
    const entry: ZipEntry = {
      name,
      flags: directory.getUint16(pos + 8, true),
      method: directory.getUint16(pos + 10, true),
      compressedSize: directory.getUint32(pos + 20, true),
      size: directory.getUint32(pos + 24, true),
      localHeaderOffset: directory.getUint32(pos + 42, true),
    };
    applyZip64Extra(entry, new DataView(directory.buffer, pos + SIZE.CENTRAL + nameLength, extraLength));
    if (entries.has(name)) throw corrupt(`entry ${name} appears twice in the central directory`);
    entries.set(name, entry);
    pos = next;
  }
  return entries;
}

/**
 * Checks that an entry is stored (uncompressed, unencrypted) and returns the
 * absolute offset of its data, read from its local file header.
 * @param file open archive
 * @param fileSize size of the archive in bytes
 * @param entry entry from {@link readZipDirectory}
 * @throws CheckpointError E2V_ERR_CHECKPOINT_ZIP_UNSUPPORTED (compressed or encrypted entry),
 *   E2V_ERR_CHECKPOINT_ZIP_CORRUPT, E2V_ERR_CHECKPOINT_TRUNCATED, E2V_ERR_CHECKPOINT_IO
 */
export async function storedEntryDataOffset(file: ReadableFile, fileSize: number, entry: ZipEntry): Promise<number> {
  if (entry.method !== METHOD_STORED || (entry.flags & FLAG_ENCRYPTED) !== 0) {
    const how = entry.method !== METHOD_STORED ? `compression method ${entry.method}` : 'encryption';
    throw new CheckpointError(
      'E2V_ERR_CHECKPOINT_ZIP_UNSUPPORTED',
      `zip entry ${entry.name} uses ${how}; torch.save stores entries uncompressed — re-save the checkpoint with torch.save instead of re-zipping it`,
    );
  }
  if (entry.size !== entry.compressedSize) {
    throw corrupt(`stored entry ${entry.name} has size ${entry.size} but compressed size ${entry.compressedSize}`);
  }
  if (entry.localHeaderOffset + SIZE.LOCAL > fileSize) {
    throw corrupt(`local header of ${entry.name} (offset ${entry.localHeaderOffset}) is beyond the end of the file`);
  }
  const header = await readAt(file, entry.localHeaderOffset, SIZE.LOCAL, `the local header of ${entry.name}`);
  if (header.getUint32(0, true) !== SIG.LOCAL) throw corrupt(`no local header for ${entry.name} at offset ${entry.localHeaderOffset}`);
  const dataOffset = entry.localHeaderOffset + SIZE.LOCAL + header.getUint16(26, true) + header.getUint16(28, true);
  if (dataOffset + entry.size > fileSize) {
    throw new CheckpointError(
      'E2V_ERR_CHECKPOINT_TRUNCATED',
      `data of zip entry ${entry.name} (${entry.size} bytes at offset ${dataOffset}) extends beyond the end of the file (${fileSize} bytes)`,
    );
  }
  return dataOffset;
}
