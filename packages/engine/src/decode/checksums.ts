/**
 * The CRCs containers use to check their own data: Ogg's CRC-32 of a page, FLAC's CRC-8 of a
 * frame header and CRC-16 of a whole frame. All are MSB-first (not reflected) with an initial
 * value of 0, table-driven.
 * @module
 */

/** The 256-entry table of an MSB-first CRC of `width` bits with polynomial `poly`. */
function crcTable(width: number, poly: number): Uint32Array {
  const top = 2 ** (width - 1);
  const mask = 2 ** width - 1;
  return Uint32Array.from({ length: 256 }, (_, i) => {
    let c = i * 2 ** (width - 8);
    for (let k = 0; k < 8; k++) c = c >= top ? (((c - top) * 2) ^ poly) >>> 0 : c * 2;
    return (c & mask) >>> 0;
  });
}

const CRC32 = crcTable(32, 0x04c11db7);
const CRC16 = crcTable(16, 0x8005);
const CRC8 = crcTable(8, 0x07);

/**
 * Ogg's CRC-32 (polynomial 0x04c11db7) of `bytes[start, end)`.
 * @param crc the CRC of the bytes before, to continue it
 */
export function oggCrc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC32[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc;
}

/** FLAC's CRC-16 (polynomial 0x8005) of `bytes[start, end)`; 0 over a whole frame, its footer included. */
export function flacCrc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC16[(crc >>> 8) ^ bytes[i]!]!;
  return crc;
}

/** FLAC's CRC-8 (polynomial 0x07) of `bytes[start, end)`: a frame header's last byte. */
export function flacCrc8(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = CRC8[crc ^ bytes[i]!]!;
  return crc;
}
