/**
 * Test helper (not built into dist): rewrites a single-stream Ogg file with small audio pages, as
 * a longer recording has them, so that a cut leaves whole pages of audio before it. The short
 * fixtures hold all their audio in one or two pages.
 * @module
 */
import { oggCrc32 } from '../decode/checksums.js';

const HEADER_BYTES = 27;

/** One page as written: flags, granule position, its packets (all complete). */
function page(serial: number, sequence: number, flags: number, granule: bigint, packets: readonly Uint8Array[]): Uint8Array {
  const lacing: number[] = [];
  for (const packet of packets) {
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  if (lacing.length > 255) throw new Error(`a page of ${packets.length} packets needs ${lacing.length} lacing values`);
  const bodyLength = packets.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(HEADER_BYTES + lacing.length + bodyLength);
  const view = new DataView(out.buffer);
  out.set([0x4f, 0x67, 0x67, 0x53, 0, flags]);
  view.setBigInt64(6, granule, true);
  view.setUint32(14, serial, true);
  view.setUint32(18, sequence, true);
  out[26] = lacing.length;
  out.set(lacing, HEADER_BYTES);
  let at = HEADER_BYTES + lacing.length;
  for (const packet of packets) {
    out.set(packet, at);
    at += packet.length;
  }
  view.setUint32(22, oggCrc32(out), true);
  return out;
}

/**
 * The same stream with its audio packets (those on pages with a granule position above 0) on
 * pages of `packetsPerPage` packets. The header pages are kept as they are; the last page keeps
 * the original final granule position, the others get increasing estimates (finding the real
 * ones would mean decoding). Decoders trim the last page to the difference of the last two
 * granule positions, so the whole stream decodes to the same samples up to that trimming.
 */
export function repaginateOgg(bytes: Uint8Array, packetsPerPage: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerPages: Uint8Array[] = [];
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let serial = 0;
  let finalGranule = 0n;
  for (let at = 0; at < bytes.length; ) {
    const segments = bytes[at + 26]!;
    let bodyAt = at + HEADER_BYTES + segments;
    const granule = view.getBigInt64(at + 6, true);
    serial = view.getUint32(at + 14, true);
    const start = at;
    for (let i = 0; i < segments; i++) {
      const length = bytes[at + HEADER_BYTES + i]!;
      pending.push(bytes.subarray(bodyAt, bodyAt + length));
      bodyAt += length;
      if (length < 255) {
        if (granule > 0n) packets.push(new Uint8Array(Buffer.concat(pending)));
        pending = [];
      }
    }
    if (granule <= 0n) headerPages.push(bytes.subarray(start, bodyAt));
    finalGranule = granule;
    at = bodyAt;
  }
  const pages = [...headerPages];
  const count = Math.ceil(packets.length / packetsPerPage);
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const granule = last ? finalGranule : (finalGranule * BigInt((i + 1) * packetsPerPage)) / BigInt(packets.length);
    pages.push(page(serial, headerPages.length + i, last ? 0x04 : 0, granule, packets.slice(i * packetsPerPage, (i + 1) * packetsPerPage)));
  }
  return new Uint8Array(Buffer.concat(pages));
}
