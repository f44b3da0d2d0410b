/**
 * 16-bit PCM mono WAV files (the outputs folder's `processed_audio.wav`): encoded whole in
 * memory, or written a block at a time with the sizes patched in on close.
 * @module
 */
import { HeaderedFile } from '@e2v/npy';

/** Bytes of the canonical header. */
const HEADER_BYTES = 44;
/** Most data bytes a RIFF size field can describe. */
const MAX_DATA_BYTES = 0xffffffff - 36;

/** The canonical 44-byte header of a mono PCM16 file with `dataBytes` of samples. */
function wavPcm16Header(dataBytes: number, sampleRate: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  return out;
}

/** Samples scaled by 32768, rounded and clipped to int16, little-endian, into `out` at `offset`. */
function writePcm16(samples: Float32Array, out: Uint8Array, offset: number): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.round(samples[i]! * 32768);
    v.setInt16(offset + i * 2, s > 32767 ? 32767 : Math.max(s, -32768), true);
  }
}

function checkSize(dataBytes: number): void {
  if (dataBytes > MAX_DATA_BYTES) throw new RangeError(`Expected at most ${MAX_DATA_BYTES / 2} samples for a WAV file but received ${dataBytes / 2}`);
}

/**
 * [sync] A mono 16-bit PCM WAV file (44-byte canonical header). Samples are scaled by 32768,
 * rounded and clipped to [-32768, 32767], so int16 audio read as int16/32768 comes back unchanged.
 * @param samples mono samples, nominally in [-1, 1)
 * @param sampleRate Hz
 * @throws RangeError past the 4 GiB a WAV file can hold
 */
export function encodeWavPcm16(samples: Float32Array, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2;
  checkSize(dataBytes);
  const out = new Uint8Array(HEADER_BYTES + dataBytes);
  out.set(wavPcm16Header(dataBytes, sampleRate));
  writePcm16(samples, out, HEADER_BYTES);
  return out;
}

/** A mono PCM16 WAV file written a block of samples at a time (same bytes as {@link encodeWavPcm16}). */
export class Pcm16WavWriter {
  private constructor(
    private readonly file: HeaderedFile,
    private readonly sampleRate: number,
  ) {}

  /** [async] Creates (or truncates) `path` and writes a header for no samples yet. */
  static async create(path: string, sampleRate: number): Promise<Pcm16WavWriter> {
    return new Pcm16WavWriter(await HeaderedFile.create(path, wavPcm16Header(0, sampleRate)), sampleRate);
  }

  /** [async] Appends samples (converted as by {@link encodeWavPcm16}). */
  async append(samples: Float32Array): Promise<void> {
    checkSize(this.file.dataBytes + samples.length * 2);
    const bytes = new Uint8Array(samples.length * 2);
    writePcm16(samples, bytes, 0);
    await this.file.append(bytes);
  }

  /** [async] Writes the final sizes into the header and closes the file. */
  close(): Promise<void> {
    return this.file.close(wavPcm16Header(this.file.dataBytes, this.sampleRate));
  }

  /** [async] Closes and deletes the file (after a failure); never throws. */
  discard(): Promise<void> {
    return this.file.discard();
  }
}
