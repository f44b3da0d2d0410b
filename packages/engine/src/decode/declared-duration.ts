/**
 * The duration a compressed file declares, read from its container without decoding, so that an
 * input over the duration limit is refused at once instead of after it was decoded (and analysed)
 * up to the limit. Where a file does not say (a WebM from a browser recorder, a chained Ogg, a
 * damaged stream), the result is null and the limit is checked as decoding goes. A declared length
 * may exceed the decoded one by the encoder delay and padding that a decoder trims (tens of ms),
 * so a caller compares it with a margin ({@link DECLARED_DURATION_MARGIN_S}).
 *
 * | format          | read from                                                        |
 * | --------------- | ---------------------------------------------------------------- |
 * | mp3, mp2        | every frame header, summed (cheap: 4 bytes a frame)               |
 * | flac            | STREAMINFO total samples (null when 0, "unknown")                 |
 * | ogg-vorbis/opus | granule position of the last page of the first logical stream     |
 * | m4a             | `moov/mvhd` duration / timescale                                  |
 * | webm, matroska  | `Segment/Info/Duration` x TimecodeScale                           |
 * @module
 */
import { findFrameStream, id3v2Size, mpegFrameLength, parseMpegAudioHeader } from './mpeg-header.js';
import type { AudioFormat } from './sniff.js';

/** Seconds a declared length may exceed the decoded one (MP3/AAC delay and padding, rounding). */
export const DECLARED_DURATION_MARGIN_S = 0.5;
/** Bytes searched back from the end for the last Ogg page (a page is at most 65,307 bytes). */
const OGG_TAIL_BYTES = 2 * 65_307;
/** Opus granule positions count 48 kHz samples whatever the input rate. */
const OPUS_GRANULE_RATE = 48_000;

const u32be = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const u32le = (b: Uint8Array, at: number): number => ((b[at + 3]! << 24) >>> 0) + (b[at + 2]! << 16) + (b[at + 1]! << 8) + b[at]!;
const ascii = (b: Uint8Array, at: number, length: number): string => String.fromCharCode(...b.subarray(at, at + length));

/**
 * Seconds of audio `bytes` declares, or null when its container does not say (WAV is read by
 * its own parser and is not handled here).
 */
export function declaredDurationS(bytes: Uint8Array, format: AudioFormat): number | null {
  switch (format) {
    case 'mp3':
    case 'mp2':
      return mpegDurationS(bytes);
    case 'flac':
      return flacDurationS(bytes);
    case 'ogg-vorbis':
    case 'ogg-opus':
      return oggDurationS(bytes, format);
    case 'm4a':
      return mp4DurationS(bytes);
    case 'webm':
    case 'matroska':
      return matroskaDurationS(bytes);
    default:
      return null;
  }
}

/** Samples in one MPEG audio frame. */
function samplesPerFrame(version: 1 | 2 | 2.5, layer: 1 | 2 | 3): number {
  if (layer === 1) return 384;
  return layer === 3 && version !== 1 ? 576 : 1152;
}

/** Whether the frame at `at` is a Xing/Info/VBRI tag frame (no audio; decoders skip it). */
function isTagFrame(bytes: Uint8Array, at: number, length: number): boolean {
  const text = ascii(bytes, at, Math.min(length, 64));
  return text.includes('Xing') || text.includes('Info') || text.includes('VBRI');
}

/** Sum of the audio frames' durations, up to the first byte that is not a frame header. */
function mpegDurationS(bytes: Uint8Array): number | null {
  let at = findFrameStream(bytes, id3v2Size(bytes, 0), mpegFrameLength);
  if (at === null) return null;
  const first = parseMpegAudioHeader(bytes, at)!;
  if (isTagFrame(bytes, at, first.frameLength)) at += first.frameLength;
  let seconds = 0;
  for (let header = parseMpegAudioHeader(bytes, at); header !== null; header = parseMpegAudioHeader(bytes, at)) {
    seconds += samplesPerFrame(header.version, header.layer) / header.sampleRate;
    at += header.frameLength;
  }
  return seconds;
}

/** STREAMINFO: 20-bit rate and 36-bit total samples, 10 bytes into the block. */
function flacDurationS(bytes: Uint8Array): number | null {
  const start = id3v2Size(bytes, 0);
  if (ascii(bytes, start, 4) !== 'fLaC' || (bytes[start + 4]! & 0x7f) !== 0) return null;
  const s = start + 8 + 10;
  if (s + 8 > bytes.length) return null;
  const rate = (bytes[s]! << 12) | (bytes[s + 1]! << 4) | (bytes[s + 2]! >> 4);
  const total = (bytes[s + 3]! & 0x0f) * 2 ** 32 + u32be(bytes, s + 4);
  return rate === 0 || total === 0 ? null : total / rate;
}

/** The last page of the first logical stream with a granule position, over the codec's rate. */
function oggDurationS(bytes: Uint8Array, format: 'ogg-vorbis' | 'ogg-opus'): number | null {
  if (ascii(bytes, 0, 4) !== 'OggS' || bytes.length < 28) return null;
  const serial = u32le(bytes, 14);
  const body = 27 + bytes[26]!;
  let rate: number;
  let preSkip = 0;
  if (format === 'ogg-vorbis') {
    if (ascii(bytes, body, 7) !== '\x01vorbis') return null;
    rate = u32le(bytes, body + 12);
  } else {
    if (ascii(bytes, body, 8) !== 'OpusHead') return null;
    rate = OPUS_GRANULE_RATE;
    preSkip = bytes[body + 10]! | (bytes[body + 11]! << 8);
  }
  if (rate === 0) return null;
  for (let at = bytes.length - 27; at >= Math.max(0, bytes.length - OGG_TAIL_BYTES); at--) {
    if (bytes[at] !== 0x4f || ascii(bytes, at, 4) !== 'OggS') continue;
    const low = u32le(bytes, at + 6);
    const high = u32le(bytes, at + 10);
    if (low === 0xffffffff && high === 0xffffffff) continue; // no packet ends on this page
    if (u32le(bytes, at + 14) !== serial) return null; // a chained or multiplexed file
    return Math.max(0, high * 2 ** 32 + low - preSkip) / rate;
  }
  return null;
}

/** Finds a box of `type` among the boxes in [start, end); returns its body's bounds. */
function findBox(bytes: Uint8Array, start: number, end: number, type: string): { body: number; end: number } | null {
  for (let at = start; at + 8 <= end; ) {
    let size = u32be(bytes, at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) return null;
      size = u32be(bytes, at + 8) * 2 ** 32 + u32be(bytes, at + 12);
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header) return null;
    if (ascii(bytes, at + 4, 4) === type) return { body: at + header, end: Math.min(end, at + size) };
    at += size;
  }
  return null;
}

/** `moov/mvhd`: version 0 has 32-bit times, version 1 64-bit ones. */
function mp4DurationS(bytes: Uint8Array): number | null {
  const moov = findBox(bytes, 0, bytes.length, 'moov');
  const mvhd = moov === null ? null : findBox(bytes, moov.body, moov.end, 'mvhd');
  if (mvhd === null) return null;
  const v1 = bytes[mvhd.body] === 1;
  const at = mvhd.body + 4 + (v1 ? 16 : 8);
  if (at + (v1 ? 12 : 8) > mvhd.end) return null;
  const timescale = u32be(bytes, at);
  const duration = v1 ? u32be(bytes, at + 4) * 2 ** 32 + u32be(bytes, at + 8) : u32be(bytes, at + 4);
  // all ones: "unknown" (fragmented files)
  if (timescale === 0 || duration === 0 || duration === 0xffffffff) return null;
  return duration / timescale;
}

/** An EBML variable-length integer at `at`: its value (marker bit cleared unless `keepMarker`) and length. */
function ebmlVint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (length > 8 || at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    allOnes &&= bytes[at + i] === 0xff;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

const EBML_SEGMENT = 0x18538067;
const EBML_INFO = 0x1549a966;
const EBML_CLUSTER = 0x1f43b675;
const EBML_TIMECODE_SCALE = 0x2ad7b1;
const EBML_DURATION = 0x4489;

/** The children of an EBML element in [start, end): id, body start and body end. */
function* ebmlChildren(bytes: Uint8Array, start: number, end: number): Generator<{ id: number; body: number; end: number }> {
  for (let at = start; at < end; ) {
    const id = ebmlVint(bytes, at, true);
    const size = id === null ? null : ebmlVint(bytes, at + id.length, false);
    if (id === null || size === null) return;
    const body = at + id.length + size.length;
    const bodyEnd = size.unknown ? end : Math.min(end, body + size.value);
    yield { id: id.value, body, end: bodyEnd };
    at = bodyEnd;
  }
}

/** `Segment/Info`: Duration (a float in TimecodeScale units, 1 ms by default). */
function matroskaDurationS(bytes: Uint8Array): number | null {
  for (const top of ebmlChildren(bytes, 0, bytes.length)) {
    if (top.id !== EBML_SEGMENT) continue;
    for (const child of ebmlChildren(bytes, top.body, top.end)) {
      if (child.id === EBML_CLUSTER) return null;
      if (child.id !== EBML_INFO) continue;
      let scale = 1_000_000;
      let duration: number | null = null;
      for (const field of ebmlChildren(bytes, child.body, child.end)) {
        const view = new DataView(bytes.buffer, bytes.byteOffset + field.body, field.end - field.body);
        if (field.id === EBML_TIMECODE_SCALE) scale = ebmlUint(bytes, field.body, field.end);
        else if (field.id === EBML_DURATION && view.byteLength === 4) duration = view.getFloat32(0);
        else if (field.id === EBML_DURATION && view.byteLength === 8) duration = view.getFloat64(0);
      }
      return duration === null || !(duration > 0) ? null : (duration * scale) / 1e9;
    }
  }
  return null;
}

/** A big-endian unsigned integer element's value. */
function ebmlUint(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 256 + bytes[i]!;
  return value;
}
