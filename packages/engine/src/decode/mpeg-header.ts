/**
 * Frame headers of MPEG-1/2/2.5 audio (Layers I–III, ISO/IEC 11172-3 and 13818-3) and of AAC in
 * ADTS (ISO/IEC 13818-7), used to recognise raw MP3/AAC streams and to read the channel mode
 * that the MP3 decoder does not report. Both start with a 12-bit sync of ones; MPEG audio has
 * layer bits 01..11 and ADTS 00, so one byte pattern never matches both.
 * @module
 */

/** A parsed MPEG audio frame header. */
export interface MpegAudioHeader {
  /** 1 (MPEG-1), 2 (MPEG-2) or 2.5 (MPEG-2.5). */
  version: 1 | 2 | 2.5;
  /** 1, 2 or 3. */
  layer: 1 | 2 | 3;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** 1 for single-channel mode, else 2. */
  channels: 1 | 2;
  /** Length of the whole frame in bytes, header included. */
  frameLength: number;
}

// kbps by [version 1 | 2/2.5][layer 1..3][bitrate index 1..14]
const BITRATES: readonly (readonly (readonly number[])[])[] = [
  [
    [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];
const MPEG1_RATES = [44100, 48000, 32000];

/** Parses the 4-byte MPEG audio header at `offset`, or returns null when it is not a valid one. */
export function parseMpegAudioHeader(bytes: Uint8Array, offset: number): MpegAudioHeader | null {
  if (offset + 4 > bytes.length) return null;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  const b3 = bytes[offset + 3]!;
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  // reserved version, reserved layer, free-format or bad bitrate, reserved rate, reserved emphasis
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3 || (b3 & 3) === 2) {
    return null;
  }
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const sampleRate = MPEG1_RATES[rateIndex]! / (version === 1 ? 1 : version === 2 ? 2 : 4);
  const bitrate = BITRATES[version === 1 ? 0 : 1]![layer - 1]![bitrateIndex - 1]! * 1000;
  const padding = (b2 >> 1) & 1;
  let frameLength: number;
  if (layer === 1) frameLength = (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  else if (layer === 3 && version !== 1) frameLength = Math.floor((72 * bitrate) / sampleRate) + padding;
  else frameLength = Math.floor((144 * bitrate) / sampleRate) + padding;
  return { version, layer, sampleRate, channels: b3 >> 6 === 3 ? 1 : 2, frameLength };
}

/** Parses the ADTS header at `offset` and returns its frame length in bytes, or null when invalid. */
export function parseAdtsFrameLength(bytes: Uint8Array, offset: number): number | null {
  if (offset + 7 > bytes.length) return null;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  if (bytes[offset] !== 0xff || (b1 & 0xf6) !== 0xf0) return null; // sync, layer 00
  if (((b2 >> 2) & 0xf) > 12) return null; // sampling frequency index
  const length = ((bytes[offset + 3]! & 3) << 11) | (bytes[offset + 4]! << 3) | (bytes[offset + 5]! >> 5);
  const headerLength = b1 & 1 ? 7 : 9;
  return length > headerLength ? length : null;
}

/** How many bytes to look through for the first frame (junk or padding before it). */
const SCAN_LIMIT = 64 * 1024;

/**
 * Finds where a stream of frames starts: the first offset in `[start, start + 64 KiB)` with a
 * valid header followed by two more back to back, so that random bytes are not taken for audio.
 * A shorter run counts when the data ends inside it (a tiny or truncated file) and it either
 * starts at `start` or has two frames. `frameLength` returns a frame's length at an offset, or null.
 */
export function findFrameStream(bytes: Uint8Array, start: number, frameLength: (bytes: Uint8Array, offset: number) => number | null): number | null {
  const end = Math.min(bytes.length, start + SCAN_LIMIT);
  for (let offset = start; offset < end; offset++) {
    if (bytes[offset] !== 0xff) continue;
    let at = offset;
    let confirmed = 0;
    while (confirmed < 3) {
      const length = frameLength(bytes, at);
      if (length === null) break;
      at += length;
      confirmed++;
      if (at >= bytes.length) {
        // the data ends at or inside this frame: enough when the stream starts right here or
        // a second frame already matched
        if (offset === start || confirmed >= 2) confirmed = 3;
        break;
      }
    }
    if (confirmed === 3) return offset;
  }
  return null;
}

/** Length of the MPEG audio frame at `offset`, or null (adapter for {@link findFrameStream}). */
export function mpegFrameLength(bytes: Uint8Array, offset: number): number | null {
  return parseMpegAudioHeader(bytes, offset)?.frameLength ?? null;
}

/** Size of an ID3v2 tag at `offset` (header, body and footer), or 0 when there is none. */
export function id3v2Size(bytes: Uint8Array, offset: number): number {
  if (offset + 10 > bytes.length) return 0;
  if (bytes[offset] !== 0x49 || bytes[offset + 1] !== 0x44 || bytes[offset + 2] !== 0x33) return 0; // "ID3"
  let size = 0;
  for (let i = 6; i < 10; i++) {
    const b = bytes[offset + i]!;
    if (b & 0x80) return 0; // not synchsafe: not a tag
    size = size * 128 + b;
  }
  const footer = bytes[offset + 5]! & 0x10 ? 10 : 0;
  return 10 + size + footer;
}
