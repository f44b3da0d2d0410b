/**
 * Bytes of a known format -> checked PCM. This is the work done inside a decode worker; it is
 * synchronous CPU work apart from loading the WASM decoders.
 * @module
 */
import { AudioDecodeError } from '../errors.js';
import { decodeCompressed, type RawAudio } from './codecs.js';
import { MAX_SAMPLE_RATE } from './limits.js';
import type { AudioFormat } from './sniff.js';
import { parseWav, wavChannels } from './wav.js';

/**
 * Decodes `bytes` as `format` and checks the result: at least one channel, a sample rate in
 * (0, 1 MHz], at most `maxDurationS` seconds, only finite samples. Throws {@link AudioDecodeError}.
 */
export async function decodeBytes(bytes: Uint8Array, format: AudioFormat, maxDurationS: number): Promise<RawAudio> {
  let audio: RawAudio;
  if (format === 'wav') {
    const info = parseWav(bytes);
    if (info.frames / info.sampleRate > maxDurationS) {
      throw new AudioDecodeError(
        'E2V_ERR_AUDIO_TOO_LONG',
        `WAV audio is ${(info.frames / info.sampleRate).toFixed(1)} s long, more than the limit of ${maxDurationS} s`,
        { format },
      );
    }
    audio = { channels: wavChannels(bytes, info), sampleRate: info.sampleRate };
  } else {
    audio = await decodeCompressed(bytes, format, maxDurationS);
  }
  checkAudio(audio, format);
  return audio;
}

/** Checks what a decoder returned (decoders are not trusted to report their own failures). */
function checkAudio(audio: RawAudio, format: AudioFormat): void {
  if (audio.channels.length === 0) {
    throw new AudioDecodeError('E2V_ERR_AUDIO_NO_CHANNELS', `${format} audio decoded to 0 channels`, { format });
  }
  if (!(audio.sampleRate > 0 && audio.sampleRate <= MAX_SAMPLE_RATE) || !Number.isInteger(audio.sampleRate)) {
    throw new AudioDecodeError('E2V_ERR_AUDIO_SAMPLE_RATE', `${format} audio has a sample rate of ${audio.sampleRate} Hz`, { format });
  }
  for (const [c, samples] of audio.channels.entries()) {
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i]!;
      if (v - v !== 0) {
        throw new AudioDecodeError(
          'E2V_ERR_AUDIO_CORRUPT',
          `${format} audio contains a non-finite sample (${v} in channel ${c} at frame ${i})`,
          { format },
        );
      }
    }
  }
}
