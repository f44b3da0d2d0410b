import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../errors.js';
import { audioFixture, goldenFixture, goldenWaveform, maxAbsDiff } from '../test-support/fixtures.js';
import { buildWav, fmtBody, int16Bytes } from '../test-support/wav-builder.js';
import { decodeBytes } from './decode-bytes.js';
import { ChannelsSink } from './pcm-sink.js';
import { parseWav } from './wav.js';

/** Decodes a WAV on this thread, as the worker does. */
async function decode(bytes: Uint8Array): Promise<{ channels: Float32Array[]; sampleRate: number }> {
  const sink = new ChannelsSink();
  const { channels } = await decodeBytes(bytes, 'wav', 3600, sink);
  return sink.result(channels);
}

function expectExact(actual: Float32Array, expected: Float32Array): void {
  const { max, at } = maxAbsDiff(actual, expected);
  expect(max, `largest difference at sample ${at}`).toBe(0);
}

// The wav-* fixtures hold samples 16000..23999 of the golden speech_16k_mono.wav, whose exact
// float32 values (int16 / 32768, computed by torchaudio) are in speech_16k_mono.16k.npy.
const golden = goldenWaveform('speech_16k_mono.16k.npy').subarray(16000, 24000);

describe('parseWav: sample formats decode exactly', () => {
  it.each([
    'wav-s16.wav',
    'wav-s24.wav',
    'wav-s32.wav',
    'wav-f32.wav',
    'wav-f64.wav',
    'wav-s24-extensible.wav',
    'wav-f32-extensible.wav',
    'wav-s32-valid24-extensible.wav',
    'wav-s16-rf64.wav',
    'wav-s16-stream-size0.wav',
    'wav-s16-stream-sizeffffffff.wav',
  ])('should decode %s to the golden samples', async (name) => {
    const { channels, sampleRate } = await decode(audioFixture(name));
    expect(sampleRate).toBe(16000);
    expect(channels).toHaveLength(1);
    expectExact(channels[0]!, golden);
  });

  it('should scale unsigned 8-bit as (v - 128) / 128', async () => {
    // the generator wrote (int16 >> 8) + 128, like ffmpeg and sox
    const expected = golden.map((x) => Math.floor(x * 128) / 128);
    expectExact((await decode(audioFixture('wav-u8.wav'))).channels[0]!, expected);
  });

  it('should split interleaved stereo into channels', async () => {
    const { channels } = await decode(audioFixture('wav-s16-stereo.wav'));
    expect(channels).toHaveLength(2);
    expectExact(channels[0]!, golden);
    expectExact(
      channels[1]!,
      golden.map((x) => -x),
    );
  });

  it('should read 8 kHz and 44.1 kHz stereo excerpts of the golden inputs', async () => {
    const whole8 = await decode(goldenFixture('speech_8k_mono.wav'));
    const part8 = await decode(audioFixture('wav-s16-8k.wav'));
    expect(part8.sampleRate).toBe(8000);
    expectExact(part8.channels[0]!, whole8.channels[0]!.subarray(8000, 12000));

    const whole44 = await decode(goldenFixture('speech_44k1_stereo.wav'));
    const part44 = await decode(audioFixture('wav-s16-44k1-stereo.wav'));
    expect(part44.sampleRate).toBe(44100);
    expect(part44.channels).toHaveLength(2);
    for (const c of [0, 1]) expectExact(part44.channels[c]!, whole44.channels[c]!.subarray(44100, 44100 + 8820));
  });

  it('should expand G.711 µ-law and A-law to within one quantisation step', async () => {
    const linear = (await decode(audioFixture('wav-s16-8k.wav'))).channels[0]!;
    for (const name of ['wav-mulaw-8k.wav', 'wav-alaw-8k.wav']) {
      const { channels, sampleRate } = await decode(audioFixture(name));
      expect(sampleRate).toBe(8000);
      // the largest G.711 step is 1024/32768 (µ-law) or 1024/32768 (A-law); half of it is the error bound
      expect(maxAbsDiff(channels[0]!, linear).max, name).toBeLessThanOrEqual(512 / 32768);
    }
  });
});

describe('parseWav: chunk layouts', () => {
  it('should skip odd-sized chunks with their pad byte and stop at an odd-sized data chunk', async () => {
    const { channels } = await decode(audioFixture('wav-u8-odd-chunks.wav'));
    expectExact(
      channels[0]!,
      golden.subarray(0, 3999).map((x) => Math.floor(x * 128) / 128),
    );
  });

  it('should find the next chunk when a writer left out the pad byte', async () => {
    const samples = [1000, -2000, 3000, -4000];
    const bytes = buildWav([
      { id: 'junk', body: new Uint8Array([1, 2, 3]), pad: false },
      { id: 'fmt ', body: fmtBody(1, 1, 16000, 16) },
      { id: 'data', body: int16Bytes(samples) },
    ]);
    expect(Array.from((await decode(bytes)).channels[0]!)).toEqual(samples.map((s) => s / 32768));
  });

  it("should accept a 'fmt ' chunk after the data chunk", async () => {
    const bytes = buildWav([
      { id: 'data', body: int16Bytes([5, 6, 7]) },
      { id: 'fmt ', body: fmtBody(1, 1, 22050, 16) },
    ]);
    const { channels, sampleRate } = await decode(bytes);
    expect(sampleRate).toBe(22050);
    expect(Array.from(channels[0]!)).toEqual([5 / 32768, 6 / 32768, 7 / 32768]);
  });

  it('should read the whole frames present when the data chunk claims more than the file has', () => {
    const full = buildWav([
      { id: 'fmt ', body: fmtBody(1, 2, 16000, 16) },
      { id: 'data', body: int16Bytes([1, 2, 3, 4, 5]), size: 1000 },
    ]);
    const info = parseWav(full.subarray(0, full.length - 1)); // 9 of 10 bytes: 2 whole stereo frames
    expect(info.frames).toBe(2);
    expect([info.dataBytes, info.missingBytes]).toEqual([9, 991]);
  });

  it('should count no missing bytes for a whole file or a data size left unknown by a streaming writer', () => {
    for (const name of ['wav-s16.wav', 'wav-s16-stream-size0.wav', 'wav-s16-stream-sizeffffffff.wav', 'wav-s16-rf64.wav']) {
      const info = parseWav(audioFixture(name));
      expect(info.missingBytes, name).toBe(0);
      expect(info.dataBytes, name).toBe(info.frames * 2);
    }
  });
});

describe('parseWav: errors', () => {
  it.each([
    ['bad-wav-truncated-header.wav', 'E2V_ERR_AUDIO_CORRUPT', /'fmt ' chunk is 10 bytes/],
    ['bad-wav-no-data.wav', 'E2V_ERR_AUDIO_CORRUPT', /no 'data' chunk/],
    ['bad-wav-no-fmt.wav', 'E2V_ERR_AUDIO_CORRUPT', /no 'fmt ' chunk/],
    ['bad-wav-block-mismatch.wav', 'E2V_ERR_AUDIO_CORRUPT', /block align 3/],
    ['bad-wav-zero-channels.wav', 'E2V_ERR_AUDIO_NO_CHANNELS', /0 channels/],
    ['bad-wav-zero-rate.wav', 'E2V_ERR_AUDIO_SAMPLE_RATE', /0 Hz/],
    ['bad-wav-empty-data.wav', 'E2V_ERR_AUDIO_EMPTY', /no samples/],
    ['bad-wav-12bit.wav', 'E2V_ERR_AUDIO_UNSUPPORTED', /^WAV 12-bit integer PCM is not supported$/],
    ['bad-wav-ima-adpcm.wav', 'E2V_ERR_AUDIO_UNSUPPORTED', /^WAV format tag 0x0011 \(IMA ADPCM\) is not supported$/],
  ])('should reject %s with %s', (name, code, message) => {
    let thrown: unknown;
    try {
      parseWav(audioFixture(name));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AudioDecodeError);
    expect(thrown).toMatchObject({ code, format: 'wav' });
    expect((thrown as Error).message).toMatch(message);
  });

  it('should reject a header shorter than RIFF....WAVE', () => {
    expect(() => parseWav(new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0]))).toThrow(expect.objectContaining({ code: 'E2V_ERR_AUDIO_CORRUPT' }));
  });

  it('should name an unknown WAVE_FORMAT_EXTENSIBLE sub-format GUID', () => {
    const fmt = new Uint8Array(40);
    fmt.set(fmtBody(0xfffe, 1, 16000, 16));
    new DataView(fmt.buffer).setUint16(16, 22, true); // cbSize
    fmt.set([0x01, 0x00, 0xde, 0xad], 24); // tag 1 but a foreign GUID tail
    const bytes = buildWav([
      { id: 'fmt ', body: fmt },
      { id: 'data', body: int16Bytes([0, 0]) },
    ]);
    expect(() => parseWav(bytes)).toThrow(
      expect.objectContaining({ code: 'E2V_ERR_AUDIO_UNSUPPORTED', message: expect.stringMatching(/sub-format GUID 0100dead/) }),
    );
  });

  it('should reject a sample rate above 1 MHz', () => {
    const bytes = buildWav([
      { id: 'fmt ', body: fmtBody(1, 1, 2_000_000, 16) },
      { id: 'data', body: int16Bytes([0]) },
    ]);
    expect(() => parseWav(bytes)).toThrow(expect.objectContaining({ code: 'E2V_ERR_AUDIO_SAMPLE_RATE' }));
  });
});
