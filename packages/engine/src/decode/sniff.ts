/**
 * Recognises the container and codec from the first bytes, never from a file name (Gradio
 * clients upload everything as `blob`). Well-known non-audio and unsupported audio formats are
 * named so that the error tells the user what they sent.
 * @module
 */
import { findFrameStream, id3v2Size, mpegFrameLength, parseAdtsFrameLength, parseMpegAudioHeader } from './mpeg-header.js';

/**
 * Formats this layer decodes, as reported in a Result's `audio.format`:
 * `wav` (RIFF/RF64 WAVE), `mp3` / `mp2` (MPEG audio Layer III / I–II), `aac` (ADTS stream),
 * `m4a` (MP4/M4A with AAC or ALAC), `flac`, `ogg-vorbis`, `ogg-opus`, `ogg-flac`,
 * `webm` and `matroska` (Opus, Vorbis, AAC, MP3, FLAC or PCM tracks).
 */
export type AudioFormat = 'wav' | 'mp3' | 'mp2' | 'aac' | 'm4a' | 'flac' | 'ogg-vorbis' | 'ogg-opus' | 'ogg-flac' | 'webm' | 'matroska';

/** What {@link sniffFormat} found: a format it decodes, or a message naming what it does not. */
export type SniffResult = { format: AudioFormat } | { format: undefined; unsupported: string };

function notSupported(what: string): SniffResult {
  return { format: undefined, unsupported: `${what} is not supported` };
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = offset; i < offset + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function startsWith(bytes: Uint8Array, offset: number, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[offset + i] === b);
}

const ASF_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11];

/** Magic numbers of formats that are recognised but not decoded, with their names. */
const UNSUPPORTED_MAGIC: readonly { test: (b: Uint8Array) => boolean; name: string }[] = [
  { test: (b) => ascii(b, 0, 4) === 'FORM' && ascii(b, 8, 4) === 'AIFF', name: 'AIFF audio' },
  { test: (b) => ascii(b, 0, 4) === 'FORM' && ascii(b, 8, 4) === 'AIFC', name: 'AIFF-C audio' },
  { test: (b) => ascii(b, 0, 4) === 'caff', name: 'Core Audio Format (CAF) audio' },
  { test: (b) => ascii(b, 0, 4) === '.snd', name: 'Sun/NeXT AU audio' },
  { test: (b) => ascii(b, 0, 5) === '#!AMR', name: 'AMR audio' },
  { test: (b) => startsWith(b, 0, ASF_GUID), name: 'ASF/WMA media' },
  { test: (b) => ascii(b, 0, 4) === 'MThd', name: 'MIDI file' },
  { test: (b) => ascii(b, 0, 4) === 'wvpk', name: 'WavPack audio' },
  { test: (b) => ascii(b, 0, 4) === 'MAC ', name: "Monkey's Audio (APE)" },
  { test: (b) => ascii(b, 0, 4) === 'DSD ' || ascii(b, 0, 4) === 'FRM8', name: 'DSD audio' },
  { test: (b) => startsWith(b, 0, [0x89, 0x50, 0x4e, 0x47]), name: 'PNG image' },
  { test: (b) => startsWith(b, 0, [0xff, 0xd8, 0xff]), name: 'JPEG image' },
  { test: (b) => ascii(b, 0, 4) === 'GIF8', name: 'GIF image' },
  { test: (b) => ascii(b, 0, 5) === '%PDF-', name: 'PDF document' },
  { test: (b) => startsWith(b, 0, [0x50, 0x4b, 0x03, 0x04]), name: 'ZIP archive' },
];

/** Codec of an Ogg logical stream, from the first bytes of its first packet. */
function oggCodec(packet: string): AudioFormat | string {
  if (packet.startsWith('OpusHead')) return 'ogg-opus';
  if (packet.startsWith('\x01vorbis')) return 'ogg-vorbis';
  if (packet.startsWith('\x7fFLAC')) return 'ogg-flac';
  if (packet.startsWith('Speex   ')) return 'Ogg Speex audio';
  if (packet.startsWith('\x80theora')) return 'Ogg Theora video';
  if (packet.startsWith('fishead\0')) return 'Ogg Skeleton';
  return 'An Ogg stream with an unknown codec';
}

/**
 * The codecs of the beginning-of-stream pages at the start of an Ogg file (one per logical
 * stream, e.g. a Skeleton stream then the audio), first audio codec found wins.
 */
function sniffOgg(bytes: Uint8Array): SniffResult {
  let offset = 0;
  let first = 'An Ogg stream with an unknown codec';
  for (let page = 0; page < 8 && ascii(bytes, offset, 4) === 'OggS'; page++) {
    const segments = bytes[offset + 26];
    if (segments === undefined) break;
    const body = offset + 27 + segments;
    const codec = oggCodec(ascii(bytes, body, 8));
    if (codec === 'ogg-opus' || codec === 'ogg-vorbis' || codec === 'ogg-flac') return { format: codec };
    if (page === 0) first = codec;
    if (!((bytes[offset + 5] ?? 0) & 2)) break; // not a beginning-of-stream page: headers are over
    let length = 0;
    for (let i = 0; i < segments; i++) length += bytes[offset + 27 + i] ?? 0;
    offset = body + length;
  }
  return notSupported(first);
}

/** Reads an EBML variable-length integer: its value (marker removed) and byte length. */
function readVint(bytes: Uint8Array, offset: number, keepMarker: boolean): { value: number; length: number } | null {
  const first = bytes[offset];
  if (first === undefined || first === 0) return null;
  let length = 1;
  while (!(first & (0x80 >> (length - 1)))) length++;
  if (offset + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + bytes[offset + i]!;
  return { value, length };
}

/** WebM or Matroska, from the DocType element of the EBML header (Matroska when absent). */
function sniffEbml(bytes: Uint8Array): SniffResult {
  const headerSize = readVint(bytes, 4, false);
  if (headerSize) {
    let offset = 4 + headerSize.length;
    const end = Math.min(bytes.length, offset + headerSize.value);
    while (offset < end) {
      const id = readVint(bytes, offset, true);
      if (!id) break;
      const size = readVint(bytes, offset + id.length, false);
      if (!size) break;
      const body = offset + id.length + size.length;
      if (id.value === 0x4282) return { format: ascii(bytes, body, size.value).startsWith('webm') ? 'webm' : 'matroska' };
      offset = body + size.value;
    }
  }
  return { format: 'matroska' };
}

function hex(bytes: Uint8Array, count: number): string {
  return Array.from(bytes.subarray(0, count), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Recognises the format of `bytes` from its content. Raw MPEG audio and ADTS streams are only
 * recognised with several valid frame headers back to back (after an optional ID3v2 tag and up
 * to 64 KiB of junk), so random bytes are not mistaken for them.
 */
export function sniffFormat(bytes: Uint8Array): SniffResult {
  const magic = ascii(bytes, 0, 4);
  if (magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') {
    const form = ascii(bytes, 8, 4);
    if (form === 'WAVE') return { format: 'wav' };
    return notSupported(form === 'AVI ' ? 'AVI video' : `A RIFF file of form '${form}'`);
  }
  if (magic === 'fLaC') return { format: 'flac' };
  if (magic === 'OggS') return sniffOgg(bytes);
  if (startsWith(bytes, 0, [0x1a, 0x45, 0xdf, 0xa3])) return sniffEbml(bytes);
  if (ascii(bytes, 4, 4) === 'ftyp') return { format: 'm4a' };
  for (const { test, name } of UNSUPPORTED_MAGIC) if (test(bytes)) return notSupported(name);

  const afterTag = id3v2Size(bytes, 0);
  if (afterTag > 0 && ascii(bytes, afterTag, 4) === 'fLaC') return { format: 'flac' };
  const mpeg = findFrameStream(bytes, afterTag, mpegFrameLength);
  if (mpeg !== null) return { format: parseMpegAudioHeader(bytes, mpeg)!.layer === 3 ? 'mp3' : 'mp2' };
  if (findFrameStream(bytes, afterTag, parseAdtsFrameLength) !== null) return { format: 'aac' };
  // an ID3v2 tag is only ever put in front of MPEG audio (or FLAC, handled above)
  if (afterTag > 0) return { format: 'mp3' };
  return { format: undefined, unsupported: `Unrecognised audio format (first bytes: ${hex(bytes, 12)})` };
}
