/**
 * Bytes of a known format -> checked PCM in a {@link PcmSink}. This is the work done inside a
 * decode worker; it is synchronous CPU work apart from loading the WASM decoders.
 * @module
 */
import type { AudioWarning } from '@e2v/core';
import { AudioDecodeError } from '../errors.js';
import { checkFinite, decodeCompressed, type DecodeFindings } from './codecs.js';
import { DECLARED_DURATION_MARGIN_S, declaredDurationS } from './declared-duration.js';
import type { PcmSink } from './pcm-sink.js';
import { PCM_BYTES, deinterleave } from './pcm.js';
import type { AudioFormat } from './sniff.js';
import { parseWav, type WavInfo } from './wav.js';
import { truncatedWarning } from './warnings.js';

/** WAV frames converted per chunk. */
const WAV_CHUNK_FRAMES = 1 << 17;

/**
 * Decodes `bytes` as `format` into `sink`, checking the result: at least one channel, a sample
 * rate in (0, 1 MHz], at most `maxDurationS` seconds (from the container before any sample is
 * decoded where it says, see {@link declaredDurationS}; else as decoding goes), only finite
 * samples. Throws {@link AudioDecodeError}. A WAV file whose data chunk runs past the end of the
 * file is decoded up to the end, with a warning.
 * @returns the file's channel count and what was lost
 */
export async function decodeBytes(bytes: Uint8Array, format: AudioFormat, maxDurationS: number, sink: PcmSink): Promise<DecodeFindings> {
  if (format !== 'wav') {
    const declared = declaredDurationS(bytes, format);
    if (declared !== null && declared > maxDurationS + DECLARED_DURATION_MARGIN_S) {
      throw new AudioDecodeError('E2V_ERR_AUDIO_TOO_LONG', `The ${format} audio declares ${declared.toFixed(1)} s, more than the limit of ${maxDurationS} s`, {
        format,
      });
    }
    return decodeCompressed(bytes, format, maxDurationS, sink);
  }
  const info = parseWav(bytes);
  if (info.frames / info.sampleRate > maxDurationS) {
    throw new AudioDecodeError(
      'E2V_ERR_AUDIO_TOO_LONG',
      `WAV audio is ${(info.frames / info.sampleRate).toFixed(1)} s long, more than the limit of ${maxDurationS} s`,
      { format },
    );
  }
  const frameBytes = info.channels * PCM_BYTES[info.encoding];
  for (let start = 0; start < info.frames; start += WAV_CHUNK_FRAMES) {
    const frames = Math.min(WAV_CHUNK_FRAMES, info.frames - start);
    const chunk = deinterleave(bytes, info.dataOffset + start * frameBytes, frames, info.channels, info.encoding);
    checkFinite(chunk, format, start);
    await sink.push(chunk, info.sampleRate);
  }
  return { channels: info.channels, warnings: info.missingBytes > 0 ? [wavCut(info)] : [] };
}

function wavCut(info: WavInfo): AudioWarning {
  const bytesPerSecond = info.channels * PCM_BYTES[info.encoding] * info.sampleRate;
  const declared = info.dataBytes + info.missingBytes;
  return truncatedWarning(
    'wav',
    `its data chunk declares ${declared} bytes but the file holds ${info.dataBytes} (${(info.missingBytes / bytesPerSecond).toFixed(2)} s of audio missing)`,
  );
}
