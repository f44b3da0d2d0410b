/**
 * Test helper (not built into dist): assembles RIFF/WAVE files chunk by chunk, for layouts the
 * fixture generator does not cover.
 * @module
 */

/** One chunk: id, body, and whether to write the pad byte after an odd-sized body (default yes). */
export interface ChunkSpec {
  id: string;
  body: Uint8Array;
  /** Declared size when it differs from the body length (e.g. 0xFFFFFFFF). */
  size?: number;
  pad?: boolean;
}

/** A `fmt ` chunk body: tag, channels, rate, bits; block align and byte rate derived. */
export function fmtBody(tag: number, channels: number, sampleRate: number, bits: number): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  const blockAlign = (channels * bits) / 8;
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, sampleRate, true);
  v.setUint32(8, sampleRate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, bits, true);
  return body;
}

/** Little-endian int16 bytes of `samples`. */
export function int16Bytes(samples: readonly number[]): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const v = new DataView(out.buffer);
  samples.forEach((s, i) => v.setInt16(i * 2, s, true));
  return out;
}

/** `RIFF <size> WAVE` followed by the chunks. */
export function buildWav(chunks: readonly ChunkSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { id, body, size, pad = true } of chunks) {
    const header = new Uint8Array(8);
    header.set(Array.from(id, (c) => c.charCodeAt(0)));
    new DataView(header.buffer).setUint32(4, size ?? body.length, true);
    parts.push(header, body);
    if (pad && body.length % 2) parts.push(new Uint8Array(1));
  }
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(12 + length);
  out.set([0x52, 0x49, 0x46, 0x46]); // RIFF
  new DataView(out.buffer).setUint32(4, 4 + length, true);
  out.set([0x57, 0x41, 0x56, 0x45], 8); // WAVE
  let at = 12;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
