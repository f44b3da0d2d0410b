/**
 * Compressed formats, decoded with the published WASM decoders (no ffmpeg at run time):
 *
 * | format                | package                | codec library |
 * |-----------------------|------------------------|---------------|
 * | mp3, mp2              | `@audio/decode-mp3`    | mpg123 |
 * | aac (ADTS), m4a       | `@audio/decode-aac`    | FAAD2 (AAC), pure JS (ALAC) |
 * | flac, ogg-flac        | `@audio/decode-flac`   | libFLAC |
 * | ogg-vorbis            | `@audio/decode-vorbis` | libvorbis |
 * | ogg-opus              | `@audio/decode-opus`   | libopus |
 * | webm, matroska        | `@audio/decode-webm`   | own EBML demuxer + libopus/libvorbis, or the packages above |
 *
 * The input is fed in chunks through each package's streaming decoder so that the decoded length
 * is checked against `maxDurationS` as it grows, long before memory runs out. Meant to run in a
 * worker thread (see worker.ts): the decoders are synchronous and some can spin on bad input.
 * @module
 */
import { AudioDecodeError } from '../errors.js';
import { findFrameStream, id3v2Size, mpegFrameLength, parseMpegAudioHeader } from './mpeg-header.js';
import type { AudioFormat } from './sniff.js';

/** Formats decoded by a WASM package (everything but WAV). */
export type CompressedFormat = Exclude<AudioFormat, 'wav'>;

/** Decoded PCM: one Float32Array per channel, all the same length. */
export interface RawAudio {
  /** Samples per channel. */
  channels: Float32Array[];
  /** Sample rate in Hz as reported by the decoder. */
  sampleRate: number;
}

/** Output of one call of a package decoder. */
interface PackageOutput {
  channelData: Float32Array[];
  sampleRate: number;
  bitDepth?: number;
  errors?: readonly { message: string }[];
}

/** The streaming decoder shape shared by the `@audio/decode-*` packages. */
interface PackageDecoder {
  decode(chunk: Uint8Array): PackageOutput | Promise<PackageOutput>;
  flush?(): PackageOutput | Promise<PackageOutput>;
  free(): void;
}

const FACTORIES: Readonly<Record<CompressedFormat, () => Promise<PackageDecoder>>> = {
  mp3: async () => (await import('@audio/decode-mp3')).decoder(),
  mp2: async () => (await import('@audio/decode-mp3')).decoder(),
  aac: async () => (await import('@audio/decode-aac')).decoder(),
  m4a: async () => (await import('@audio/decode-aac')).decoder(),
  flac: async () => (await import('@audio/decode-flac')).decoder(),
  'ogg-flac': async () => (await import('@audio/decode-flac')).decoder(),
  'ogg-vorbis': async () => (await import('@audio/decode-vorbis')).decoder(),
  'ogg-opus': async () => (await import('@audio/decode-opus')).decoder(),
  webm: async () => (await import('@audio/decode-webm')).decoder(),
  matroska: async () => (await import('@audio/decode-webm')).decoder(),
};

/** Bytes handed to a decoder per call: the granularity of the duration check. */
const CHUNK_BYTES = 256 * 1024;

/** Library messages that mean "valid file, codec not supported" rather than "broken file". */
const UNSUPPORTED_MESSAGE = /unsupported (webm )?codec|does not support this codec|no aac\/alac audio track|unsupported pcm bit depth/i;

/** Turns anything a decoder library threw into a typed error naming the format. */
export function libraryError(format: CompressedFormat, thrown: unknown): AudioDecodeError {
  if (thrown instanceof AudioDecodeError) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  if (UNSUPPORTED_MESSAGE.test(detail)) {
    return new AudioDecodeError('E2V_ERR_AUDIO_UNSUPPORTED', `${format} file with an unsupported codec: ${detail}`, { format, cause: thrown });
  }
  return new AudioDecodeError('E2V_ERR_AUDIO_CORRUPT', `${format} data could not be decoded: ${detail || 'decoder failed'}`, { format, cause: thrown });
}

/** Collects decoder outputs, enforcing one sample rate and the duration limit. */
class Accumulator {
  private readonly parts: Float32Array[][] = [];
  private frames = 0;
  sampleRate = 0;
  channelCount = 0;
  bitDepth: number | undefined;
  firstError: string | undefined;

  constructor(
    private readonly format: CompressedFormat,
    private readonly maxDurationS: number,
  ) {}

  add(output: PackageOutput | undefined): void {
    if (!output) return;
    if (this.firstError === undefined && output.errors?.length) this.firstError = output.errors[0]!.message;
    const data = output.channelData;
    const length = data.length === 0 ? 0 : Math.min(...data.map((d) => d.length));
    if (length === 0) return;
    if (this.channelCount === 0) {
      this.sampleRate = output.sampleRate;
      this.channelCount = data.length;
      this.bitDepth = output.bitDepth;
    } else if (output.sampleRate !== this.sampleRate) {
      throw new AudioDecodeError(
        'E2V_ERR_AUDIO_UNSUPPORTED',
        `${this.format} stream changes sample rate mid-stream (${this.sampleRate} Hz to ${output.sampleRate} Hz)`,
        { format: this.format },
      );
    }
    // Copied: a decoder may hand out views of its WASM heap, which the next call overwrites (the
    // pinned versions return copies, but nothing in their API promises it). Chained streams may
    // change the channel count: missing channels repeat the first ones.
    this.parts.push(Array.from({ length: this.channelCount }, (_, c) => data[c % data.length]!.slice(0, length)));
    this.frames += length;
    if (this.sampleRate > 0 && this.frames / this.sampleRate > this.maxDurationS) {
      throw new AudioDecodeError(
        'E2V_ERR_AUDIO_TOO_LONG',
        `${this.format} audio is longer than the limit of ${this.maxDurationS} s`,
        { format: this.format },
      );
    }
  }

  /** Concatenates everything into fresh, separately owned arrays (safe to transfer). */
  result(): RawAudio {
    const channels = Array.from({ length: this.channelCount }, (_, c) => {
      const out = new Float32Array(this.frames);
      let at = 0;
      for (const part of this.parts) {
        out.set(part[c]!, at);
        at += part[c]!.length;
      }
      return out;
    });
    return { channels, sampleRate: this.sampleRate };
  }
}

/**
 * Channel count of an MPEG audio stream from its first frame header. mpg123 always outputs two
 * channels; a mono stream comes back as two identical ones.
 */
function mpegChannels(bytes: Uint8Array): number | undefined {
  const start = findFrameStream(bytes, id3v2Size(bytes, 0), mpegFrameLength);
  return start === null ? undefined : parseMpegAudioHeader(bytes, start)?.channels;
}

/**
 * libFLAC's WASM wrapper scales a b-bit sample s to s / (2^(b-1) - 1); torchaudio (through sox)
 * gives s / 2^(b-1), like every integer format. Recovers s and rescales, in place.
 */
function rescaleFlac(audio: RawAudio, bitDepth: number): void {
  if (!(bitDepth >= 4 && bitDepth <= 32)) return;
  const full = 2 ** (bitDepth - 1);
  for (const samples of audio.channels) {
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(samples[i]! * (full - 1)) / full;
  }
}

/**
 * Decodes `bytes` of a compressed `format`. Throws {@link AudioDecodeError}: TOO_LONG past
 * `maxDurationS`, UNSUPPORTED for a codec the package does not handle, CORRUPT when the
 * decoder fails or produces no samples at all (decoders that quietly return nothing for
 * garbage are caught here).
 */
export async function decodeCompressed(bytes: Uint8Array, format: CompressedFormat, maxDurationS: number): Promise<RawAudio> {
  const acc = new Accumulator(format, maxDurationS);
  let decoder: PackageDecoder | undefined;
  try {
    decoder = await FACTORIES[format]();
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      acc.add(await decoder.decode(bytes.subarray(offset, offset + CHUNK_BYTES)));
    }
    if (decoder.flush) acc.add(await decoder.flush());
  } catch (thrown) {
    throw libraryError(format, thrown);
  } finally {
    try {
      decoder?.free();
    } catch {
      // freeing after a failed decode may throw again; the first error is the one that matters
    }
  }
  const audio = acc.result();
  if (audio.channels.length === 0 || audio.channels[0]!.length === 0) {
    const why = acc.firstError ? ` (${acc.firstError})` : '';
    throw new AudioDecodeError('E2V_ERR_AUDIO_CORRUPT', `${format} data decoded to no audio${why}`, { format });
  }
  if ((format === 'mp3' || format === 'mp2') && audio.channels.length === 2 && mpegChannels(bytes) === 1) {
    audio.channels.length = 1;
  }
  if ((format === 'flac' || format === 'ogg-flac') && acc.bitDepth !== undefined) rescaleFlac(audio, acc.bitDepth);
  return audio;
}
