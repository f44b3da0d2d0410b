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
 * The input is fed in chunks through each package's streaming decoder, and each decoded chunk is
 * checked and handed to a {@link PcmSink} at once: the decoded length is checked against
 * `maxDurationS` as it grows, and a sink that downmixes and resamples keeps memory to 16 kHz mono. Meant to run in a
 * worker thread (see worker.ts): the decoders are synchronous and some can spin on bad input.
 * @module
 */
import type { AudioWarning } from '@e2v/core';
import { AudioDecodeError } from '../errors.js';
import { MAX_SAMPLE_RATE } from './limits.js';
import { findFrameStream, id3v2Size, mpegFrameLength, parseMpegAudioHeader } from './mpeg-header.js';
import type { PcmSink } from './pcm-sink.js';
import type { AudioFormat } from './sniff.js';
import { inspectContainer } from './integrity.js';
import { damagedWarning, decoderErrorsDetail, truncatedWarning } from './warnings.js';

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

/**
 * Bytes handed to a decoder per call: the granularity of the duration check and of the memory a
 * decoded chunk takes (64 KB of 8 kbit/s Opus is a minute of audio).
 */
const CHUNK_BYTES = 64 * 1024;

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

/**
 * Checks decoder outputs and passes them on to a {@link PcmSink}: one sample rate, the duration
 * limit, finite samples, FLAC rescaled (see {@link rescaleFlac}).
 */
class ChunkChecker {
  frames = 0;
  sampleRate = 0;
  channelCount = 0;
  bitDepth: number | undefined;
  /** Errors the decoder reported (frames it skipped), and the first one's message. */
  errorCount = 0;
  firstError: string | undefined;

  constructor(
    private readonly format: CompressedFormat,
    private readonly maxDurationS: number,
    private readonly sink: PcmSink,
  ) {}

  async add(output: PackageOutput | undefined): Promise<void> {
    if (!output) return;
    if (output.errors?.length) {
      this.firstError ??= output.errors[0]!.message;
      this.errorCount += output.errors.length;
    }
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
    if (!(this.sampleRate > 0 && this.sampleRate <= MAX_SAMPLE_RATE) || !Number.isInteger(this.sampleRate)) {
      throw new AudioDecodeError('E2V_ERR_AUDIO_SAMPLE_RATE', `${this.format} audio has a sample rate of ${this.sampleRate} Hz`, { format: this.format });
    }
    // Chained streams may change the channel count: missing channels repeat the first ones.
    let chunk = Array.from({ length: this.channelCount }, (_, c) => data[c % data.length]!.subarray(0, length));
    if ((this.format === 'flac' || this.format === 'ogg-flac') && this.bitDepth !== undefined) chunk = chunk.map((c) => rescaleFlac(c, this.bitDepth!));
    checkFinite(chunk, this.format, this.frames);
    await this.sink.push(chunk, this.sampleRate);
    this.frames += length;
    if (this.frames / this.sampleRate > this.maxDurationS) {
      throw new AudioDecodeError('E2V_ERR_AUDIO_TOO_LONG', `${this.format} audio is longer than the limit of ${this.maxDurationS} s`, { format: this.format });
    }
  }
}

/**
 * Checks that every sample of a chunk is finite (decoders are not trusted to report their own
 * failures). Throws {@link AudioDecodeError} `E2V_ERR_AUDIO_CORRUPT` naming the channel and frame.
 * @param firstFrame the chunk's first frame in the file, for the message
 */
export function checkFinite(chunk: readonly Float32Array[], format: AudioFormat, firstFrame: number): void {
  for (const [c, samples] of chunk.entries()) {
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i]!;
      if (v - v !== 0) {
        throw new AudioDecodeError('E2V_ERR_AUDIO_CORRUPT', `${format} audio contains a non-finite sample (${v} in channel ${c} at frame ${firstFrame + i})`, {
          format,
        });
      }
    }
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
 * gives s / 2^(b-1), like every integer format. Recovers s and rescales, into a new array.
 */
function rescaleFlac(samples: Float32Array, bitDepth: number): Float32Array {
  if (!(bitDepth >= 4 && bitDepth <= 32)) return samples;
  const full = 2 ** (bitDepth - 1);
  return samples.map((v) => Math.round(v * (full - 1)) / full);
}

/** What a decode found besides the samples. */
export interface DecodeFindings {
  /** The file's channel count. */
  channels: number;
  /** What was lost (a cut file, damaged frames); empty for clean audio. */
  warnings: AudioWarning[];
}

/**
 * Decodes `bytes` of a compressed `format` into `sink`, chunk by chunk. Throws
 * {@link AudioDecodeError}: TOO_LONG past `maxDurationS`, UNSUPPORTED for a codec the package
 * does not handle, SAMPLE_RATE for an impossible rate, CORRUPT when the decoder fails, produces a
 * non-finite sample or no samples at all (decoders that quietly return nothing for garbage are
 * caught here). Audio decoded from a cut or damaged file (see integrity.ts) is kept, with a
 * warning.
 * @returns the file's channel count (a mono MP3, which mpg123 returns as two equal channels, is 1)
 *   and what was lost
 */
export async function decodeCompressed(bytes: Uint8Array, format: CompressedFormat, maxDurationS: number, sink: PcmSink): Promise<DecodeFindings> {
  const checker = new ChunkChecker(format, maxDurationS, sink);
  let decoder: PackageDecoder | undefined;
  try {
    decoder = await FACTORIES[format]();
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      await checker.add(await decoder.decode(bytes.subarray(offset, offset + CHUNK_BYTES)));
    }
    if (decoder.flush) await checker.add(await decoder.flush());
  } catch (thrown) {
    throw libraryError(format, thrown);
  } finally {
    try {
      decoder?.free();
    } catch {
      // freeing after a failed decode may throw again; the first error is the one that matters
    }
  }
  const { cut, damage } = inspectContainer(bytes, format, { frames: checker.frames, sampleRate: checker.sampleRate });
  if (checker.frames === 0) {
    const why = cut !== undefined ? `: the file is truncated: ${cut}` : checker.firstError ? ` (${checker.firstError})` : '';
    throw new AudioDecodeError('E2V_ERR_AUDIO_CORRUPT', `${format} data decoded to no audio${why}`, { format });
  }
  const mono = (format === 'mp3' || format === 'mp2') && checker.channelCount === 2 && mpegChannels(bytes) === 1;
  const warnings: AudioWarning[] = [];
  if (cut !== undefined) warnings.push(truncatedWarning(format, cut));
  const details = checker.errorCount > 0 ? [...damage, decoderErrorsDetail(checker.errorCount, checker.firstError!)] : damage;
  if (details.length > 0) warnings.push(damagedWarning(format, details));
  return { channels: mono ? 1 : checker.channelCount, warnings };
}
