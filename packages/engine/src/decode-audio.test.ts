import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from './decode-audio.js';
import { AUDIO_ERROR_CODES, AudioDecodeError } from './errors.js';
import { alignedCorrelation, audioFixture, maxAbsDiff } from './test-support/fixtures.js';
import { repeatedMp3 } from './test-support/long-audio.js';
import { repaginateOgg } from './test-support/ogg-pages.js';
import { withWorstStall } from './test-support/event-loop.js';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('decodeAudio: every format', () => {
  it.each([
    ['speech-16k.wav', 'wav', 16000, 1, 16000],
    ['speech-48k.wav', 'wav', 48000, 1, 48000],
    ['speech.mp3', 'mp3', 48000, 1, 48000],
    ['speech-44k1-stereo.mp3', 'mp3', 44100, 2, 44100],
    ['speech.m4a', 'm4a', 48000, 1, 48000],
    ['speech.aac', 'aac', 48000, 1, 48128], // ADTS carries no priming info: 47 whole frames of 1024
    ['speech.flac', 'flac', 16000, 1, 16000],
    ['speech-flac.oga', 'ogg-flac', 16000, 1, 16000],
    ['speech-vorbis.ogg', 'ogg-vorbis', 48000, 1, 48000],
    ['speech-opus.ogg', 'ogg-opus', 48000, 1, 48000],
    ['speech-opus.webm', 'webm', 48000, 1, 48000],
    ['speech-opus-live.webm', 'webm', 48000, 1, 48000],
    ['wav-s16-44k1-stereo.wav', 'wav', 44100, 2, 8820],
    ['wav-mulaw-8k.wav', 'wav', 8000, 1, 4000],
  ])('should decode %s as %s, %i Hz, %i channel(s), %i frames', async (name, format, sampleRate, channels, frames) => {
    const audio = await decodeAudio(audioFixture(name));
    expect(audio.format).toBe(format);
    expect(audio.sampleRate).toBe(sampleRate);
    expect(audio.channels).toHaveLength(channels);
    for (const c of audio.channels) expect(c).toHaveLength(frames);
    expect(audio.durationS).toBeCloseTo(frames / sampleRate, 9);
    expect(audio.warnings).toEqual([]);
  });

  it('should decode FLAC and Ogg FLAC to exactly the original samples', async () => {
    const original = (await decodeAudio(audioFixture('speech-16k.wav'))).channels[0]!;
    for (const name of ['speech.flac', 'speech-flac.oga']) {
      const decoded = (await decodeAudio(audioFixture(name))).channels[0]!;
      expect(maxAbsDiff(decoded, original).max, name).toBe(0);
    }
  });

  it.each(['speech.mp3', 'speech.m4a', 'speech.aac', 'speech-vorbis.ogg', 'speech-opus.ogg', 'speech-opus.webm', 'speech-opus-live.webm'])(
    'should decode lossy %s to within correlation 0.99 of the original',
    async (name) => {
      const original = (await decodeAudio(audioFixture('speech-48k.wav'))).channels[0]!;
      const decoded = (await decodeAudio(audioFixture(name))).channels[0]!;
      const { lag, r } = alignedCorrelation(decoded, original, 2400);
      expect(r, `best lag ${lag}`).toBeGreaterThanOrEqual(0.99);
    },
  );

  it('should keep the two channels of a stereo MP3 apart (right = 0.5 x left)', async () => {
    const [left, right] = (await decodeAudio(audioFixture('speech-44k1-stereo.mp3'))).channels;
    const { lag, r } = alignedCorrelation(right!, left!, 10);
    expect(lag).toBe(0);
    expect(r).toBeGreaterThan(0.99);
    const energy = (x: Float32Array) => x.reduce((s, v) => s + v * v, 0);
    expect(Math.sqrt(energy(right!) / energy(left!))).toBeCloseTo(0.5, 1);
  });

  it('should accept an ArrayBuffer and a Buffer view at an offset of a larger buffer', async () => {
    const wav = audioFixture('wav-s16.wav');
    const expected = (await decodeAudio(wav)).channels[0]!;
    const big = Buffer.alloc(wav.length + 1000, 7);
    big.set(wav, 500);
    const fromView = await decodeAudio(big.subarray(500, 500 + wav.length));
    const fromArrayBuffer = await decodeAudio(wav.slice().buffer);
    expect(maxAbsDiff(fromView.channels[0]!, expected).max).toBe(0);
    expect(maxAbsDiff(fromArrayBuffer.channels[0]!, expected).max).toBe(0);
  });
});

/**
 * A fixture as a longer recording has it: an Ogg file's audio on pages of 2 packets (the short
 * fixtures hold theirs in one or two pages), other formats as they are.
 */
function paged(name: string): Uint8Array {
  const bytes = audioFixture(name);
  return name.endsWith('.ogg') || name.endsWith('.oga') ? repaginateOgg(bytes, 2) : bytes;
}

describe('decodeAudio: truncated and damaged files', () => {
  it.each(['speech-vorbis.ogg', 'speech-opus.ogg', 'speech-flac.oga'])(
    'should decode %s with smaller pages (the test helper) to the same audio',
    async (name) => {
      const original = (await decodeAudio(audioFixture(name))).channels[0]!;
      const repaged = await decodeAudio(paged(name));
      expect(repaged.warnings).toEqual([]);
      // the same samples, up to the trimming of the last page (see repaginateOgg)
      const samples = repaged.channels[0]!;
      const n = Math.min(samples.length, original.length);
      expect(n).toBeGreaterThan(original.length - 1000);
      expect(maxAbsDiff(samples.subarray(0, n), original.subarray(0, n)).max).toBe(0);
    },
  );

  it.each([
    ['speech-16k.wav', 'wav'],
    ['speech.mp3', 'mp3'],
    ['speech-44k1-stereo.mp3', 'mp3'],
    ['speech.aac', 'aac'],
    ['speech.flac', 'flac'],
    ['speech-flac.oga', 'ogg-flac'],
    ['speech-vorbis.ogg', 'ogg-vorbis'],
    ['speech-opus.ogg', 'ogg-opus'],
  ])('should decode %s cut at 60%% as far as it goes and warn E2V_WARN_AUDIO_TRUNCATED', async (name, format) => {
    const bytes = paged(name);
    const whole = await decodeAudio(bytes);
    const audio = await decodeAudio(bytes.slice(0, Math.floor(bytes.length * 0.6)));
    expect(audio.format).toBe(format);
    expect(audio.warnings).toEqual([
      {
        code: 'E2V_WARN_AUDIO_TRUNCATED',
        message: expect.stringMatching(new RegExp(`^The ${format} file is truncated: .+; only the audio before the cut was analyzed$`)),
      },
    ]);
    const frames = audio.channels[0]!.length;
    expect(frames).toBeLessThan(whole.channels[0]!.length);
    expect(frames).toBeGreaterThan(whole.channels[0]!.length * 0.3);
  });

  it.each([
    ['speech.mp3', /: \d+ bytes between frames that are not audio frames \(in 1 place\) were skipped;/],
    ['speech.aac', /: \d+ bytes between frames that are not audio frames \(in 1 place\) were skipped;/],
    ['speech.flac', /: the decoder stopped at damaged data after \d+ of 16000 samples \(0\.\d\d s of audio not decoded\);/],
    [
      'speech-vorbis.ogg',
      /: 1 of \d+ pages fails its checksum; \d+ bytes between pages that are not Ogg pages were skipped; the decoder reported \d+ frames it could not decode \(first: vorbis_synthesis/,
    ],
    ['speech-opus.ogg', /: 1 of \d+ pages fails its checksum; \d+ bytes between pages that are not Ogg pages were skipped;/],
  ])('should decode %s with 300 damaged bytes in the middle and warn E2V_WARN_AUDIO_DAMAGED_FRAMES', async (name, detail) => {
    const bytes = paged(name);
    let seed = 7;
    for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 300; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    const audio = await decodeAudio(bytes);
    expect(audio.warnings).toEqual([
      { code: 'E2V_WARN_AUDIO_DAMAGED_FRAMES', message: expect.stringMatching(/^The [\w-]+ file has damaged data: .+; the audio that decoded was analyzed$/) },
    ]);
    expect(audio.warnings[0]!.message).toMatch(detail);
    expect(audio.channels[0]!.length).toBeGreaterThan(0);
  });

  it('should say that a file cut before its first whole page of audio is truncated, in the error', async () => {
    const ogg = audioFixture('speech-vorbis.ogg'); // all its audio is on one page
    const error = await failure(decodeAudio(ogg.slice(0, Math.floor(ogg.length * 0.6))));
    expect(error).toMatchObject({
      code: 'E2V_ERR_AUDIO_CORRUPT',
      message: expect.stringMatching(/^ogg-vorbis data decoded to no audio: the file is truncated: page 3 needs \d+ bytes/),
    });
  });
});

describe('decodeAudio: errors', () => {
  it.each([
    ['bad-garbage.bin', 'E2V_ERR_AUDIO_UNSUPPORTED', /^Unrecognised audio format/],
    ['bad-text.txt', 'E2V_ERR_AUDIO_UNSUPPORTED', /^Unrecognised audio format/],
    ['bad-aiff.aiff', 'E2V_ERR_AUDIO_UNSUPPORTED', /^AIFF audio is not supported$/],
    ['bad-ogg-unknown-codec.ogg', 'E2V_ERR_AUDIO_UNSUPPORTED', /^Ogg Theora video is not supported$/],
    ['bad-wav-ima-adpcm.wav', 'E2V_ERR_AUDIO_UNSUPPORTED', /^WAV format tag 0x0011 \(IMA ADPCM\) is not supported$/],
    ['bad-wav-zero-channels.wav', 'E2V_ERR_AUDIO_NO_CHANNELS', /0 channels/],
    ['bad-wav-zero-rate.wav', 'E2V_ERR_AUDIO_SAMPLE_RATE', /0 Hz/],
    ['bad-wav-empty-data.wav', 'E2V_ERR_AUDIO_EMPTY', /no samples/],
    ['bad-wav-truncated-header.wav', 'E2V_ERR_AUDIO_CORRUPT', /Corrupt WAV/],
    // decoders that quietly return nothing for these are caught
    ['bad-flac-corrupt.flac', 'E2V_ERR_AUDIO_CORRUPT', /^flac data decoded to no audio/],
    ['bad-mp3-truncated.mp3', 'E2V_ERR_AUDIO_CORRUPT', /^mp3 data decoded to no audio/],
    ['bad-opus-headers-only.ogg', 'E2V_ERR_AUDIO_CORRUPT', /^ogg-opus data decoded to no audio/],
    ['bad-webm-truncated.webm', 'E2V_ERR_AUDIO_CORRUPT', /^webm data could not be decoded/],
  ])('should reject %s with %s', async (name, code, message) => {
    const error = await failure(decodeAudio(audioFixture(name)));
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
  });

  it('should reject empty input', async () => {
    await expect(decodeAudio(new Uint8Array(0))).rejects.toMatchObject({ code: 'E2V_ERR_AUDIO_EMPTY' });
  });

  it('should reject input over maxBytes before decoding', async () => {
    const error = await failure(decodeAudio(audioFixture('speech.mp3'), { maxBytes: 1000 }));
    expect(error).toMatchObject({ code: 'E2V_ERR_AUDIO_TOO_LONG', message: expect.stringMatching(/limit of 1000 bytes/) });
  });

  it('should reject audio over maxDurationS, from the WAV header, from what an MP3 declares and while an MP3 decodes', async () => {
    await expect(decodeAudio(audioFixture('speech-16k.wav'), { maxDurationS: 0.5 })).rejects.toMatchObject({
      code: 'E2V_ERR_AUDIO_TOO_LONG',
      format: 'wav',
    });
    await expect(decodeAudio(repeatedMp3(40), { maxDurationS: 10 })).rejects.toMatchObject({
      code: 'E2V_ERR_AUDIO_TOO_LONG',
      format: 'mp3',
      message: expect.stringMatching(/declares/),
    });
    // a stray byte after 5 s ends the frame count there; the decoder resyncs and finds 40 s
    const resyncing = new Uint8Array([...repeatedMp3(5), 0, ...repeatedMp3(35)]);
    await expect(decodeAudio(resyncing, { maxDurationS: 10 })).rejects.toMatchObject({
      code: 'E2V_ERR_AUDIO_TOO_LONG',
      format: 'mp3',
      message: expect.not.stringMatching(/declares/),
    });
  });

  it('should stop a decode that passes timeoutMs', async () => {
    await decodeAudio(audioFixture('wav-s16.wav')); // a warm worker, so the deadline hits the decoder
    await expect(decodeAudio(repeatedMp3(120), { timeoutMs: 30 })).rejects.toMatchObject({ code: 'E2V_ERR_AUDIO_TIMEOUT' });
  });

  it('should reject wrong argument types and bad options as programmer errors', async () => {
    await expect(decodeAudio('speech.wav' as never)).rejects.toThrow(TypeError);
    await expect(decodeAudio([1, 2, 3] as never)).rejects.toThrow(/Expected a Uint8Array, Buffer or ArrayBuffer for bytes/);
    await expect(decodeAudio(audioFixture('wav-s16.wav'), { maxDuration: 5 } as never)).rejects.toThrow(/Unknown option 'maxDuration'/);
    await expect(decodeAudio(audioFixture('wav-s16.wav'), { timeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(decodeAudio(audioFixture('wav-s16.wav'), { maxBytes: '5' } as never)).rejects.toThrow(TypeError);
  });
});

describe('decodeAudio: robustness', () => {
  const fixtures = readdirSync(fileURLToPath(new URL('../test/fixtures/audio/', import.meta.url))).sort();

  // Each fixture, changed at random (bytes overwritten, mostly in the header, and/or cut short),
  // either decodes to finite audio or fails with a typed error, within the decode deadline.
  it.each(fixtures)('should decode or fail cleanly on mutations of %s', async (name) => {
    const original = audioFixture(name);
    const position = fc.oneof(fc.nat({ max: 63 }), fc.nat({ max: original.length - 1 }));
    const mutation = fc.record({
      edits: fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.integer({ min: 1, max: 999 }), { nil: undefined, freq: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ edits, cut }) => {
        let bytes = original.slice();
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        if (cut !== undefined) bytes = bytes.subarray(0, Math.max(1, Math.floor((bytes.length * cut) / 1000)));
        const started = performance.now();
        try {
          const audio = await decodeAudio(bytes, { timeoutMs: 5_000 });
          expect(audio.channels.length).toBeGreaterThan(0);
          expect(audio.sampleRate).toBeGreaterThan(0);
          for (const c of audio.channels) expect(c).toHaveLength(audio.channels[0]!.length);
        } catch (error) {
          expect(error).toBeInstanceOf(AudioDecodeError);
          expect(AUDIO_ERROR_CODES).toContain((error as AudioDecodeError).code);
        }
        expect(performance.now() - started).toBeLessThan(7_000);
      }),
      { numRuns: 6, seed: 2024 },
    );
  });

  it('should keep the event loop turning while a long file decodes', async () => {
    const long = repeatedMp3(240); // 4 minutes of MP3
    const { result: audio, worstGapMs } = await withWorstStall(() => decodeAudio(long));
    expect(audio.durationS).toBeGreaterThan(230);
    // Decoding this file on the main thread would stall it for well over a second; 400 ms leaves room for a loaded CI machine.
    expect(worstGapMs).toBeLessThan(400);
  });

  it('should let the process exit on its own after decoding (idle workers do not hold it)', () => {
    const script = fileURLToPath(new URL('./test-support/decode-and-exit.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.error, 'the child process did not exit by itself within 20 s').toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ format: 'wav', sampleRate: 16000, frames: 8000, code: 'E2V_ERR_AUDIO_CORRUPT' });
  });
});
