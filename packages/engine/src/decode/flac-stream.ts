/**
 * What a native FLAC file says about its own length (RFC 9639): the STREAMINFO block (total
 * samples, block and frame sizes) and its last frame. FLAC frames carry no length, but each ends
 * with a CRC-16 of the whole frame: a file ends with a whole frame when, from some frame header
 * near its end, the CRC-16 to the end is 0. That frame's number then says how many samples the
 * file reaches.
 * @module
 */
import { flacCrc16, flacCrc8 } from './checksums.js';
import { id3v2Size } from './mpeg-header.js';

/** The parts of STREAMINFO used here, and where the audio frames start. */
export interface FlacStreamInfo {
  /** Samples per channel the stream declares; 0 when unknown. */
  totalSamples: number;
  /** The largest block (samples per frame); a fixed-blocksize stream's frames all have it but the last. */
  maxBlockSize: number;
  /** The largest frame in bytes; 0 when unknown. */
  maxFrameBytes: number;
  /** Byte offset of the first frame (after the metadata blocks). */
  audioStart: number;
}

/** A frame header's facts. */
interface FrameHeader {
  /** Variable blocksize: `number` is the first sample's number, else the frame's number. */
  variable: boolean;
  number: number;
  blockSize: number;
}

const ID3V1_BYTES = 128;
/** How far from the end the last frame is looked for when STREAMINFO does not give the largest frame. */
const DEFAULT_SEARCH_BYTES = 1 << 21;

/** Reads STREAMINFO and walks the metadata blocks of a native FLAC file (after an optional ID3v2 tag), or null. */
export function readFlacStreamInfo(bytes: Uint8Array): FlacStreamInfo | null {
  const start = id3v2Size(bytes, 0);
  const body = start + 8; // "fLaC", then the STREAMINFO block header
  if (body + 18 > bytes.length || bytes[start] !== 0x66 || bytes[start + 1] !== 0x4c || bytes[start + 2] !== 0x61 || bytes[start + 3] !== 0x43) return null;
  if ((bytes[start + 4]! & 0x7f) !== 0) return null; // the first block must be STREAMINFO
  let at = start + 4;
  for (;;) {
    if (at + 4 > bytes.length) return null;
    const last = bytes[at]! & 0x80;
    at += 4 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
    if (last) break;
  }
  const u24 = (o: number): number => (bytes[o]! << 16) | (bytes[o + 1]! << 8) | bytes[o + 2]!;
  return {
    totalSamples: (bytes[body + 13]! & 0x0f) * 2 ** 32 + ((bytes[body + 14]! << 24) >>> 0) + u24(body + 15),
    maxBlockSize: (bytes[body + 2]! << 8) | bytes[body + 3]!,
    maxFrameBytes: u24(body + 7),
    audioStart: at,
  };
}

/** The block size a header's 4-bit code gives, or -1/-2 for "8-bit / 16-bit value at the end of the header", or 0 (reserved). */
function blockSizeOfCode(code: number): number {
  if (code === 1) return 192;
  if (code >= 2 && code <= 5) return 576 * 2 ** (code - 2);
  if (code >= 8) return 256 * 2 ** (code - 8);
  return code === 6 ? -1 : code === 7 ? -2 : 0;
}

/** Parses the frame header at `p` (sync, reserved bits, coded number, CRC-8), or null. */
function frameHeaderAt(bytes: Uint8Array, p: number): FrameHeader | null {
  if (p + 6 > bytes.length || bytes[p] !== 0xff || (bytes[p + 1]! & 0xfe) !== 0xf8) return null;
  const blockCode = bytes[p + 2]! >> 4;
  const rateCode = bytes[p + 2]! & 0x0f;
  if (blockCode === 0 || rateCode === 15 || bytes[p + 3]! >> 4 > 10 || bytes[p + 3]! & 1) return null;
  // the coded number: a UTF-8-like sequence of 1 to 7 bytes
  const first = bytes[p + 4]!;
  const extra =
    first < 0x80
      ? 0
      : first >= 0xc0 && first < 0xe0
        ? 1
        : first >= 0xe0 && first < 0xf0
          ? 2
          : first >= 0xf0 && first < 0xf8
            ? 3
            : first >= 0xf8 && first < 0xfc
              ? 4
              : first >= 0xfc && first < 0xfe
                ? 5
                : first === 0xfe
                  ? 6
                  : -1;
  if (extra < 0) return null;
  let number = extra === 0 ? first : first & (0x3f >> extra);
  let q = p + 5;
  for (let i = 0; i < extra; i++, q++) {
    if (q >= bytes.length || (bytes[q]! & 0xc0) !== 0x80) return null;
    number = number * 64 + (bytes[q]! & 0x3f);
  }
  let blockSize = blockSizeOfCode(blockCode);
  if (blockSize === -1) blockSize = (bytes[q++] ?? 0) + 1;
  else if (blockSize === -2) blockSize = ((bytes[q++] ?? 0) << 8) + (bytes[q++] ?? 0) + 1;
  q += rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0;
  if (q >= bytes.length || flacCrc8(bytes, p, q) !== bytes[q]) return null;
  return { variable: (bytes[p + 1]! & 1) === 1, number, blockSize };
}

/**
 * Samples the file's last whole frame reaches (its first sample's number plus its block size),
 * or null when the file does not end with a whole frame: it is cut inside one. An ID3v1 tag at
 * the end is allowed.
 */
export function lastWholeFrameReach(bytes: Uint8Array, info: FlacStreamInfo): number | null {
  let end = bytes.length;
  if (
    end - ID3V1_BYTES >= info.audioStart &&
    bytes[end - ID3V1_BYTES] === 0x54 &&
    bytes[end - ID3V1_BYTES + 1] === 0x41 &&
    bytes[end - ID3V1_BYTES + 2] === 0x47
  )
    end -= ID3V1_BYTES; // "TAG"
  const searchBytes = info.maxFrameBytes > 0 ? info.maxFrameBytes : DEFAULT_SEARCH_BYTES;
  for (let p = end - 1; p >= Math.max(info.audioStart, end - searchBytes); p--) {
    if (bytes[p] !== 0xff) continue;
    const header = frameHeaderAt(bytes, p);
    if (header === null || flacCrc16(bytes, p, end) !== 0) continue;
    return (header.variable ? header.number : header.number * info.maxBlockSize) + header.blockSize;
  }
  return null;
}
