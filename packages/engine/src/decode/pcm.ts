/**
 * Interleaved little-endian PCM bytes -> one Float32Array per channel, scaled exactly as
 * `torchaudio.load` (sox_io backend, `normalize=True`, torchaudio 0.13) scales them:
 *
 * | encoding | value                  | note |
 * |----------|------------------------|------|
 * | `u8`     | (v - 128) / 128        | sox shifts to a 32-bit sample, torchaudio divides by 2^31 |
 * | `s16`    | v / 32768              | |
 * | `s24`    | v / 8388608            | |
 * | `s32`    | v / 2147483648         | torchaudio additionally rounds to 25 significant bits (<= 3e-8 apart) |
 * | `f32`    | v                      | torchaudio clips to [-1, 1] and rounds as for s32; kept as is here |
 * | `f64`    | v rounded to float32   | as f32 |
 * | `mulaw`  | G.711 µ-law / 32768    | sox's 14-bit expansion table |
 * | `alaw`   | G.711 A-law / 32768    | sox's 13-bit expansion table |
 * @module
 */

/** Sample encodings of WAV data that can be converted. */
export type PcmEncoding = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64' | 'mulaw' | 'alaw';

/** Bytes per sample of each encoding. */
export const PCM_BYTES: Readonly<Record<PcmEncoding, number>> = {
  u8: 1,
  s16: 2,
  s24: 3,
  s32: 4,
  f32: 4,
  f64: 8,
  mulaw: 1,
  alaw: 1,
};

/** G.711 µ-law byte -> 16-bit linear value (ITU-T G.711; identical to sox's ulaw table). */
function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - magnitude : magnitude - 0x84;
}

/** G.711 A-law byte -> 16-bit linear value (ITU-T G.711; identical to sox's alaw table). */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  if (segment === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function table(expand: (byte: number) => number): Float32Array {
  const t = new Float32Array(256);
  for (let b = 0; b < 256; b++) t[b] = expand(b) / 32768;
  return t;
}

const MULAW = table(mulawToLinear);
const ALAW = table(alawToLinear);

/** Typed arrays use the platform's byte order; WAV is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Interleaved = Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;
type InterleavedConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Interleaved;

/**
 * The interleaved samples as a typed array: a view when the data is aligned, else an aligned copy.
 */
function interleaved(bytes: Uint8Array, offset: number, count: number, Type: InterleavedConstructor, width: number): Interleaved {
  const start = bytes.byteOffset + offset;
  if (start % width === 0) return new Type(bytes.buffer, start, count);
  return new Type(bytes.slice(offset, offset + count * width).buffer, 0, count);
}

/** out[c][f] = (samples[f * channels + c] - bias) * scale */
function split(samples: Interleaved, frames: number, channels: number, bias: number, scale: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const channel = new Float32Array(frames);
    for (let f = 0, i = c; f < frames; f++, i += channels) channel[f] = (samples[i]! - bias) * scale;
    out.push(channel);
  }
  return out;
}

/**
 * Byte-wise conversion of any encoding: the path for 24-bit and G.711 data and, on big-endian
 * hosts, for everything. Same results as {@link deinterleave}.
 */
export function deinterleaveBytewise(bytes: Uint8Array, offset: number, frames: number, channels: number, encoding: PcmEncoding): Float32Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = PCM_BYTES[encoding];
  const stride = width * channels;
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const channel = new Float32Array(frames);
    let o = offset + c * width;
    for (let f = 0; f < frames; f++, o += stride) {
      switch (encoding) {
        case 'u8':
          channel[f] = (bytes[o]! - 128) / 128;
          break;
        case 's16':
          channel[f] = view.getInt16(o, true) / 32768;
          break;
        case 's24':
          channel[f] = (bytes[o]! | (bytes[o + 1]! << 8) | ((bytes[o + 2]! << 24) >> 8)) / 8388608;
          break;
        case 's32':
          channel[f] = view.getInt32(o, true) / 2147483648;
          break;
        case 'f32':
          channel[f] = view.getFloat32(o, true);
          break;
        case 'f64':
          channel[f] = view.getFloat64(o, true);
          break;
        case 'mulaw':
          channel[f] = MULAW[bytes[o]!]!;
          break;
        case 'alaw':
          channel[f] = ALAW[bytes[o]!]!;
          break;
      }
    }
    out.push(channel);
  }
  return out;
}

/**
 * Splits `frames` interleaved frames of `channels` samples, starting at `offset` in `bytes`,
 * into one Float32Array per channel. The caller guarantees the bytes are there.
 */
export function deinterleave(bytes: Uint8Array, offset: number, frames: number, channels: number, encoding: PcmEncoding): Float32Array[] {
  const count = frames * channels;
  if (encoding === 'u8') return split(bytes.subarray(offset, offset + count), frames, channels, 128, 1 / 128);
  if (LITTLE_ENDIAN) {
    if (encoding === 's16') return split(interleaved(bytes, offset, count, Int16Array, 2), frames, channels, 0, 1 / 32768);
    if (encoding === 's32') return split(interleaved(bytes, offset, count, Int32Array, 4), frames, channels, 0, 1 / 2147483648);
    if (encoding === 'f32') return split(interleaved(bytes, offset, count, Float32Array, 4), frames, channels, 0, 1);
    if (encoding === 'f64') return split(interleaved(bytes, offset, count, Float64Array, 8), frames, channels, 0, 1);
  }
  return deinterleaveBytewise(bytes, offset, frames, channels, encoding);
}
