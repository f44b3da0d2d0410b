/**
 * Checks a decoded compressed file against its container: is it cut short, and is some of it
 * damaged? The WASM decoders stop quietly at a cut (they wait for bytes that never come) and
 * resynchronise quietly past damage, so the container is walked here:
 * - MPEG audio and ADTS: frames back to back (each header gives its frame's length); a frame
 *   running past the end is a cut, bytes between frames that are not frames are damage.
 * - Ogg (Vorbis, Opus, FLAC): pages (each header gives its body's length); a page running past
 *   the end, or a last page without the end-of-stream flag, is a cut; a page failing its CRC-32
 *   is damage (the decoders do not check it).
 * - MP4 / M4A: top-level boxes; a box running past the end is a cut.
 * - native FLAC: STREAMINFO's sample count and the last frame (see flac-stream.ts); a last frame
 *   cut off, or a whole last frame short of the declared count, is a cut; fewer samples decoded
 *   than the frames hold is damage (the decoder stopped at it).
 * WebM and Matroska are not walked (live recordings legitimately leave their sizes unknown);
 * WAV is checked by its parser (wav.ts).
 * @module
 */
import { oggCrc32 } from './checksums.js';
import type { CompressedFormat } from './codecs.js';
import { lastWholeFrameReach, readFlacStreamInfo } from './flac-stream.js';
import { findFrameStream, id3v2Size, mpegFrameLength, parseAdtsFrameLength } from './mpeg-header.js';

/** What the container says about a file. */
export interface ContainerFindings {
  /** Where the file is cut, when it is. */
  cut: string | undefined;
  /** Damage found (empty when none). */
  damage: string[];
}

/** How much a decoder produced. */
export interface DecodedLength {
  /** Samples per channel. */
  frames: number;
  sampleRate: number;
}

const WHOLE: ContainerFindings = { cut: undefined, damage: [] };
/** Bytes of an MPEG audio header and of an ADTS header: a shorter tail starting with a sync byte is a cut header. */
const MPEG_HEADER_BYTES = 4;
const ADTS_HEADER_BYTES = 7;
/** Bytes of an Ogg page header before its segment table, and where its CRC sits. */
const OGG_HEADER_BYTES = 27;
const OGG_CRC_AT = 22;
const OGG_END_OF_STREAM = 0x04;
/** "OggS", the start of every page. */
const OGG_CAPTURE = [0x4f, 0x67, 0x67, 0x53];
const ZEROS = new Uint8Array(4);

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** ", X s of audio missing" (or another phrase) for `samples` at `sampleRate`, or '' when the rate is unknown. */
function seconds(samples: number, sampleRate: number, what: string): string {
  return sampleRate > 0 ? ` (${(samples / sampleRate).toFixed(2)} s of audio ${what})` : '';
}

/**
 * Walks frames back to back from the first frame stream. Data that is not a frame, followed
 * by more frames, is damage (skipped by the decoder); followed by none, tags or other data (not
 * judged); a frame whose length runs past the end is a cut.
 */
function frameStream(bytes: Uint8Array, frameLength: (bytes: Uint8Array, offset: number) => number | null, headerBytes: number): ContainerFindings {
  let at = findFrameStream(bytes, id3v2Size(bytes, 0), frameLength);
  if (at === null) return WHOLE;
  let frames = 0;
  let gaps = 0;
  let skipped = 0;
  const findings = (cut?: string): ContainerFindings => ({
    cut,
    damage: gaps === 0 ? [] : [`${plural(skipped, 'byte')} between frames that are not audio frames (in ${plural(gaps, 'place')}) were skipped`],
  });
  while (at < bytes.length) {
    const length = frameLength(bytes, at);
    if (length !== null) {
      if (at + length > bytes.length) return findings(`frame ${frames + 1} needs ${length} bytes but the file ends after ${plural(bytes.length - at, 'byte')}`);
      at += length;
      frames += 1;
      continue;
    }
    if (bytes.length - at < headerBytes && bytes[at] === 0xff) return findings(`the file ends inside the header of frame ${frames + 1}`);
    const tag = id3v2Size(bytes, at);
    const next = findFrameStream(bytes, at + Math.max(tag, 1), frameLength);
    if (next === null) break;
    if (tag === 0 || next > at + tag) {
      gaps += 1;
      skipped += next - at - tag;
    }
    at = next;
  }
  return findings();
}

/** Where the next "OggS" starts at or after `from`, or -1. */
function nextOggPage(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(OGG_CAPTURE[0]!, from); i >= 0 && i + 4 <= bytes.length; i = bytes.indexOf(OGG_CAPTURE[0]!, i + 1)) {
    if (OGG_CAPTURE.every((b, k) => bytes[i + k] === b)) return i;
  }
  return -1;
}

/**
 * Walks Ogg pages: a page cut short or a missing end-of-stream page is a cut; pages failing
 * their CRC, and bytes skipped to find the next page, are damage. Data after the last page that
 * holds no page (a tag) is not judged.
 */
function oggPages(bytes: Uint8Array): ContainerFindings {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let pages = 0;
  let badCrc = 0;
  let skipped = 0;
  let lastFlags = OGG_END_OF_STREAM;
  const findings = (cut?: string): ContainerFindings => {
    const damage = badCrc === 0 ? [] : [`${badCrc} of ${pages} pages ${badCrc === 1 ? 'fails its' : 'fail their'} checksum`];
    if (skipped > 0) damage.push(`${plural(skipped, 'byte')} between pages that are not Ogg pages were skipped`);
    return { cut, damage };
  };
  while (at < bytes.length) {
    if (!OGG_CAPTURE.every((b, i) => at + i >= bytes.length || bytes[at + i] === b)) {
      const next = nextOggPage(bytes, at + 1);
      if (next < 0) break; // data after the last page
      skipped += next - at;
      at = next;
      continue;
    }
    const headerEnd = at + OGG_HEADER_BYTES + (bytes[at + 26] ?? 0);
    let end = headerEnd;
    for (let i = at + OGG_HEADER_BYTES; i < Math.min(headerEnd, bytes.length); i++) end += bytes[i]!;
    if (headerEnd > bytes.length || end > bytes.length) {
      const next = nextOggPage(bytes, at + 1);
      if (next < 0)
        return findings(
          headerEnd > bytes.length
            ? `the file ends inside the header of page ${pages + 1}`
            : `page ${pages + 1} needs ${end - at} bytes but the file ends after ${plural(bytes.length - at, 'byte')}`,
        );
      skipped += next - at; // a damaged header: its sizes are wrong, and more pages follow
      at = next;
      continue;
    }
    const crc = oggCrc32(bytes, at + OGG_CRC_AT + 4, end, oggCrc32(ZEROS, 0, 4, oggCrc32(bytes, at, at + OGG_CRC_AT)));
    if (crc !== view.getUint32(at + OGG_CRC_AT, true)) badCrc += 1;
    lastFlags = bytes[at + 5]!;
    at = end;
    pages += 1;
  }
  return findings(lastFlags & OGG_END_OF_STREAM ? undefined : `the stream stops after page ${pages} without its end-of-stream page`);
}

function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + 4));
}

/** Walks the top-level MP4 boxes: a box whose size runs past the end is a cut. */
function mp4Boxes(bytes: Uint8Array): ContainerFindings {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= bytes.length) {
    const size32 = view.getUint32(at);
    const type = fourcc(bytes, at + 4);
    if (size32 === 0) break; // the box runs to the end of the file
    let size = size32;
    if (size32 === 1) {
      if (at + 16 > bytes.length) return { cut: `the file ends inside the header of the '${type}' box`, damage: [] };
      size = view.getUint32(at + 8) * 2 ** 32 + view.getUint32(at + 12);
    }
    if (size < 8) break; // malformed: the decoder judged it
    if (at + size > bytes.length)
      return { cut: `the '${type}' box needs ${size} bytes but the file ends after ${plural(bytes.length - at, 'byte')}`, damage: [] };
    at += size;
  }
  return WHOLE;
}

/** Native FLAC: STREAMINFO's sample count, the last frame, and what was decoded. */
function flacStream(bytes: Uint8Array, decoded: DecodedLength): ContainerFindings {
  const info = readFlacStreamInfo(bytes);
  if (info === null) return WHOLE;
  const declared = info.totalSamples;
  const reach = lastWholeFrameReach(bytes, info);
  const { frames, sampleRate } = decoded;
  if (reach === null) {
    const what =
      declared > 0 ? `; ${frames} of the ${declared} samples its STREAMINFO declares were decoded${seconds(declared - frames, sampleRate, 'missing')}` : '';
    return { cut: `its last frame is cut off${what}`, damage: [] };
  }
  if (declared > 0 && reach < declared) {
    return {
      cut: `its frames end at sample ${reach} of the ${declared} its STREAMINFO declares${seconds(declared - reach, sampleRate, 'missing')}`,
      damage: [],
    };
  }
  const expected = declared > 0 ? declared : reach;
  if (frames >= expected) return WHOLE;
  return {
    cut: undefined,
    damage: [`the decoder stopped at damaged data after ${frames} of ${expected} samples${seconds(expected - frames, sampleRate, 'not decoded')}`],
  };
}

/**
 * What the container of a decoded compressed file says: where it is cut, and what is damaged
 * (nothing for formats not walked here: WebM, Matroska).
 * @param decoded what the decoder produced (native FLAC is compared with its frames)
 */
export function inspectContainer(bytes: Uint8Array, format: CompressedFormat, decoded: DecodedLength): ContainerFindings {
  switch (format) {
    case 'mp3':
    case 'mp2':
      return frameStream(bytes, mpegFrameLength, MPEG_HEADER_BYTES);
    case 'aac':
      return frameStream(bytes, parseAdtsFrameLength, ADTS_HEADER_BYTES);
    case 'm4a':
      return mp4Boxes(bytes);
    case 'ogg-vorbis':
    case 'ogg-opus':
    case 'ogg-flac':
      return oggPages(bytes);
    case 'flac':
      return flacStream(bytes, decoded);
    case 'webm':
    case 'matroska':
      return WHOLE;
  }
}
