/**
 * WAV (RIFF WAVE, RF64/BW64) parser. Reads PCM 8/16/24/32-bit, IEEE float 32/64-bit, G.711
 * µ-law/A-law, and the same inside WAVE_FORMAT_EXTENSIBLE. Robust to what real writers produce:
 * chunks in any order, unknown and odd-sized chunks (with or without their pad byte),
 * a data chunk size of 0 or 0xFFFFFFFF from streaming writers (read to the end of the file),
 * sizes larger than the file (truncated recordings: the whole frames present are read), and
 * RF64's ds64 sizes.
 * @module
 */
import { AudioDecodeError } from '../errors.js';
import { MAX_SAMPLE_RATE } from './limits.js';
import { PCM_BYTES, type PcmEncoding } from './pcm.js';

/** What the header of a WAV file says. */
export interface WavInfo {
  /** Sample encoding of the data chunk. */
  encoding: PcmEncoding;
  /** Channel count (> 0). */
  channels: number;
  /** Sample rate in Hz (1..1 MHz). */
  sampleRate: number;
  /** Number of whole frames in the data present in the file. */
  frames: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of data present in the file. */
  dataBytes: number;
  /** Bytes the data chunk's size declares beyond the end of the file (0 when whole, or the size is unknown). */
  missingBytes: number;
}

/** Names of WAV format tags that are real codecs but not decoded here. */
const TAG_NAMES: Readonly<Record<number, string>> = {
  2: 'Microsoft ADPCM',
  17: 'IMA ADPCM',
  34: 'DSP Group TrueSpeech',
  49: 'GSM 6.10',
  64: 'G.721 ADPCM',
  80: 'MPEG audio',
  85: 'MPEG Layer 3',
  100: 'G.726 ADPCM',
  146: 'Dolby AC-3 SPDIF',
  255: 'AAC',
  353: 'WMA',
  354: 'WMA Pro',
  355: 'WMA Lossless',
  8192: 'AC-3',
  8193: 'DTS',
};

const TAG_PCM = 0x0001;
const TAG_FLOAT = 0x0003;
const TAG_ALAW = 0x0006;
const TAG_MULAW = 0x0007;
const TAG_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID derived from a format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const UNKNOWN_SIZE = 0xffffffff;

function tagName(tag: number): string {
  const hex = `0x${tag.toString(16).padStart(4, '0')}`;
  const name = TAG_NAMES[tag];
  return name ? `${hex} (${name})` : hex;
}

function corrupt(message: string): AudioDecodeError {
  return new AudioDecodeError('E2V_ERR_AUDIO_CORRUPT', `Corrupt WAV file: ${message}`, { format: 'wav' });
}

function unsupported(what: string): AudioDecodeError {
  return new AudioDecodeError('E2V_ERR_AUDIO_UNSUPPORTED', `${what} is not supported`, { format: 'wav' });
}

function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

/** The encoding for a (sub-)format tag and container width, or an UNSUPPORTED error. */
function encodingOf(tag: number, bits: number, where: string): PcmEncoding {
  if (tag === TAG_PCM) {
    if (bits === 8) return 'u8';
    if (bits === 16) return 's16';
    if (bits === 24) return 's24';
    if (bits === 32) return 's32';
    throw unsupported(`${where} ${bits}-bit integer PCM`);
  }
  if (tag === TAG_FLOAT) {
    if (bits === 32) return 'f32';
    if (bits === 64) return 'f64';
    throw unsupported(`${where} ${bits}-bit floating-point PCM`);
  }
  if ((tag === TAG_MULAW || tag === TAG_ALAW) && bits === 8) return tag === TAG_MULAW ? 'mulaw' : 'alaw';
  if (tag === TAG_MULAW || tag === TAG_ALAW) throw unsupported(`${where} ${bits}-bit G.711`);
  throw unsupported(`${where} format tag ${tagName(tag)}`);
}

interface FmtChunk {
  encoding: PcmEncoding;
  channels: number;
  sampleRate: number;
  blockAlign: number;
}

function parseFmt(bytes: Uint8Array, view: DataView, body: number, size: number): FmtChunk {
  if (size < 16 || body + 16 > bytes.length) throw corrupt(`'fmt ' chunk is ${Math.min(size, bytes.length - body)} bytes, expected at least 16`);
  const tag = view.getUint16(body, true);
  const channels = view.getUint16(body + 2, true);
  const sampleRate = view.getUint32(body + 4, true);
  const blockAlign = view.getUint16(body + 12, true);
  const bits = view.getUint16(body + 14, true);
  let encoding: PcmEncoding;
  if (tag === TAG_EXTENSIBLE) {
    if (size < 40 || body + 40 > bytes.length) throw corrupt(`WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${size} bytes, expected 40`);
    const subTag = view.getUint16(body + 24, true);
    if (!SUBTYPE_GUID_TAIL.every((b, i) => bytes[body + 26 + i] === b)) {
      const guid = Array.from(bytes.subarray(body + 24, body + 40), (b) => b.toString(16).padStart(2, '0')).join('');
      throw unsupported(`WAVE_FORMAT_EXTENSIBLE sub-format GUID ${guid}`);
    }
    encoding = encodingOf(subTag, bits, 'WAV (extensible)');
  } else {
    encoding = encodingOf(tag, bits, 'WAV');
  }
  return { encoding, channels, sampleRate, blockAlign };
}

/**
 * Parses the chunks of a WAV file and checks the format. Throws {@link AudioDecodeError}:
 * CORRUPT (bad or missing chunks), UNSUPPORTED (names the format tag), NO_CHANNELS,
 * SAMPLE_RATE, EMPTY (no whole frame of data).
 */
export function parseWav(bytes: Uint8Array): WavInfo {
  if (bytes.length < 12) throw corrupt(`only ${bytes.length} bytes, shorter than a RIFF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rf64 = fourcc(bytes, 0) !== 'RIFF';
  let ds64DataSize: number | undefined;
  let fmt: FmtChunk | undefined;
  let data: { offset: number; size: number; declared: number } | undefined;

  let offset = 12;
  while (offset + 8 <= bytes.length && !(fmt && data)) {
    const id = fourcc(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ' && !fmt) {
      fmt = parseFmt(bytes, view, body, size);
    } else if (id === 'ds64' && rf64 && size >= 16 && body + 16 <= bytes.length) {
      ds64DataSize = view.getUint32(body + 8, true) + view.getUint32(body + 12, true) * 2 ** 32;
    } else if (id === 'data' && !data) {
      const available = bytes.length - body;
      const unknown = size === 0 || size === UNKNOWN_SIZE;
      const declared = rf64 && size === UNKNOWN_SIZE && ds64DataSize !== undefined ? ds64DataSize : unknown ? available : size;
      data = { offset: body, size: Math.min(declared, available), declared };
      if (unknown) break; // the data runs to the end of the file (or ds64 says where): stop looking
    }
    if (size === UNKNOWN_SIZE) break;
    offset = body + size + (size & 1);
    // A writer that forgot the pad byte after an odd-sized chunk: the next id starts one byte early.
    if (size & 1 && offset < bytes.length && !/^[\x20-\x7e]{4}$/.test(fourcc(bytes, offset)) && /^[\x20-\x7e]{4}$/.test(fourcc(bytes, offset - 1))) {
      offset -= 1;
    }
  }
  if (!fmt) throw corrupt("no 'fmt ' chunk");
  if (!data) throw corrupt("no 'data' chunk");
  const { encoding, channels, sampleRate, blockAlign } = fmt;
  if (channels === 0) {
    throw new AudioDecodeError('E2V_ERR_AUDIO_NO_CHANNELS', 'WAV header declares 0 channels', { format: 'wav' });
  }
  if (sampleRate === 0 || sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioDecodeError('E2V_ERR_AUDIO_SAMPLE_RATE', `WAV header declares a sample rate of ${sampleRate} Hz`, { format: 'wav' });
  }
  const frameBytes = channels * PCM_BYTES[encoding];
  if (blockAlign !== frameBytes) {
    throw corrupt(`block align ${blockAlign} does not match ${channels} channel(s) of ${PCM_BYTES[encoding]}-byte samples`);
  }
  const frames = Math.floor(data.size / frameBytes);
  if (frames === 0) {
    throw new AudioDecodeError('E2V_ERR_AUDIO_EMPTY', 'WAV data chunk holds no samples', { format: 'wav' });
  }
  return { encoding, channels, sampleRate, frames, dataOffset: data.offset, dataBytes: data.size, missingBytes: data.declared - data.size };
}
