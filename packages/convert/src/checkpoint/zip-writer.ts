/**
 * A streaming zip writer for torch.save-style archives: stored (uncompressed)
 * entries whose data starts on a 64-byte boundary (as torch aligns them),
 * written one at a time, with zip64 records wherever sizes or offsets need
 * them (or everywhere, on request, to exercise readers).
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { FLAG_UTF8, METHOD_STORED, SIG, SIZE, U16_MAX, U32_MAX, ZIP64_EXTRA_ID } from './zip-format.js';

/** Data of every entry starts at a multiple of this (torch's alignment, so storages can be memory-mapped). */
export const DATA_ALIGNMENT = 64;

/** Header id of the padding extra field torch writes ("FB"). */
const PADDING_EXTRA_ID = 0x4246;

/** Version needed to extract: 2.0 for plain stored entries, 4.5 with zip64. */
const VERSION_STORED = 20;
const VERSION_ZIP64 = 45;

interface CentralRecord {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
}

/** Options of {@link ZipWriter}. */
export interface ZipWriterOptions {
  /** Write zip64 fields for every entry and the end record even when 32 bits suffice. */
  forceZip64?: boolean;
}

/** Writes a stored zip archive sequentially into an open file, one entry at a time. */
export class ZipWriter {
  readonly #file: FileHandle;
  readonly #forceZip64: boolean;
  readonly #records: CentralRecord[] = [];
  #position = 0;

  /**
   * @param file file opened for writing, empty
   * @param options zip64 behaviour
   */
  constructor(file: FileHandle, options: ZipWriterOptions = {}) {
    this.#file = file;
    this.#forceZip64 = options.forceZip64 ?? false;
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesWritten } = await this.#file.write(bytes, done, bytes.byteLength - done, this.#position + done);
      done += bytesWritten;
    }
    this.#position += bytes.byteLength;
  }

  /**
   * Appends one stored entry.
   * @param name entry name (UTF-8)
   * @param data the entry's content
   */
  async add(name: string, data: Uint8Array): Promise<void> {
    const nameBytes = new TextEncoder().encode(name);
    const offset = this.#position;
    const zip64 = this.#forceZip64 || data.byteLength >= U32_MAX;
    const zip64Length = zip64 ? 4 + 16 : 0;
    const unpadded = offset + SIZE.LOCAL + nameBytes.length + zip64Length + 4;
    const padding = (DATA_ALIGNMENT - (unpadded % DATA_ALIGNMENT)) % DATA_ALIGNMENT;
    const header = new Uint8Array(SIZE.LOCAL + nameBytes.length + zip64Length + 4 + padding);
    const view = new DataView(header.buffer);
    const crc = crc32(data);
    view.setUint32(0, SIG.LOCAL, true);
    view.setUint16(4, zip64 ? VERSION_ZIP64 : VERSION_STORED, true);
    view.setUint16(6, FLAG_UTF8, true);
    view.setUint16(8, METHOD_STORED, true);
    // 10..13: DOS time and date 0, as torch writes
    view.setUint32(14, crc, true);
    view.setUint32(18, zip64 ? U32_MAX : data.byteLength, true);
    view.setUint32(22, zip64 ? U32_MAX : data.byteLength, true);
    view.setUint16(26, nameBytes.length, true);
    view.setUint16(28, zip64Length + 4 + padding, true);
    header.set(nameBytes, SIZE.LOCAL);
    let extra = SIZE.LOCAL + nameBytes.length;
    if (zip64) {
      view.setUint16(extra, ZIP64_EXTRA_ID, true);
      view.setUint16(extra + 2, 16, true);
      view.setBigUint64(extra + 4, BigInt(data.byteLength), true);
      view.setBigUint64(extra + 12, BigInt(data.byteLength), true);
      extra += zip64Length;
    }
    view.setUint16(extra, PADDING_EXTRA_ID, true);
    view.setUint16(extra + 2, padding, true);
    header.fill(0x5a, extra + 4); // 'Z', torch's filler
    await this.#write(header);
    await this.#write(data);
    this.#records.push({ name: nameBytes, crc, size: data.byteLength, offset });
  }

  /** Builds one central directory record. */
  #central(record: CentralRecord): Uint8Array {
    const bigSize = this.#forceZip64 || record.size >= U32_MAX;
    const bigOffset = this.#forceZip64 || record.offset >= U32_MAX;
    const fields = [...(bigSize ? [record.size, record.size] : []), ...(bigOffset ? [record.offset] : [])];
    const extraLength = fields.length > 0 ? 4 + 8 * fields.length : 0;
    const bytes = new Uint8Array(SIZE.CENTRAL + record.name.length + extraLength);
    const view = new DataView(bytes.buffer);
    const version = fields.length > 0 ? VERSION_ZIP64 : VERSION_STORED;
    view.setUint32(0, SIG.CENTRAL, true);
    view.setUint16(4, version, true);
    view.setUint16(6, version, true);
    view.setUint16(8, FLAG_UTF8, true);
    view.setUint16(10, METHOD_STORED, true);
    view.setUint32(16, record.crc, true);
    view.setUint32(20, bigSize ? U32_MAX : record.size, true);
    view.setUint32(24, bigSize ? U32_MAX : record.size, true);
    view.setUint16(28, record.name.length, true);
    view.setUint16(30, extraLength, true);
    view.setUint32(42, bigOffset ? U32_MAX : record.offset, true);
    bytes.set(record.name, SIZE.CENTRAL);
    if (fields.length > 0) {
      const at = SIZE.CENTRAL + record.name.length;
      view.setUint16(at, ZIP64_EXTRA_ID, true);
      view.setUint16(at + 2, 8 * fields.length, true);
      fields.forEach((value, i) => view.setBigUint64(at + 4 + 8 * i, BigInt(value), true));
    }
    return bytes;
  }

  /**
   * Writes the central directory and the end records (zip64 end record and
   * locator always, as torch does; the classic end record points to them
   * with 0xffff.. fields when a value does not fit or zip64 is forced).
   * Does not close the file.
   */
  async finish(): Promise<void> {
    const directoryOffset = this.#position;
    for (const record of this.#records) await this.#write(this.#central(record));
    const directorySize = this.#position - directoryOffset;
    const count = this.#records.length;
    const zip64EndOffset = this.#position;
    const tail = new Uint8Array(SIZE.ZIP64_END + SIZE.ZIP64_LOCATOR + SIZE.END);
    const view = new DataView(tail.buffer);
    view.setUint32(0, SIG.ZIP64_END, true);
    view.setBigUint64(4, BigInt(SIZE.ZIP64_END - 12), true);
    view.setUint16(12, VERSION_ZIP64, true);
    view.setUint16(14, VERSION_ZIP64, true);
    view.setBigUint64(24, BigInt(count), true);
    view.setBigUint64(32, BigInt(count), true);
    view.setBigUint64(40, BigInt(directorySize), true);
    view.setBigUint64(48, BigInt(directoryOffset), true);
    const locator = SIZE.ZIP64_END;
    view.setUint32(locator, SIG.ZIP64_LOCATOR, true);
    view.setBigUint64(locator + 8, BigInt(zip64EndOffset), true);
    view.setUint32(locator + 16, 1, true);
    const end = locator + SIZE.ZIP64_LOCATOR;
    const bigCount = this.#forceZip64 || count >= U16_MAX;
    const bigDirectory = this.#forceZip64 || directoryOffset + directorySize >= U32_MAX;
    view.setUint32(end, SIG.END, true);
    view.setUint16(end + 8, bigCount ? U16_MAX : count, true);
    view.setUint16(end + 10, bigCount ? U16_MAX : count, true);
    view.setUint32(end + 12, bigDirectory ? U32_MAX : directorySize, true);
    view.setUint32(end + 16, bigDirectory ? U32_MAX : directoryOffset, true);
    await this.#write(tail);
  }
}
