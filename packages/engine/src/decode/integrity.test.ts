import { describe, expect, it } from 'vitest';
import { audioFixture } from '../test-support/fixtures.js';
import { repaginateOgg } from '../test-support/ogg-pages.js';
import type { CompressedFormat } from './codecs.js';
import { inspectContainer } from './integrity.js';
import { id3v2Size } from './mpeg-header.js';

/** What speech.flac decodes to: 1 s at 16 kHz. */
const FLAC_WHOLE = { frames: 16000, sampleRate: 16000 };
/** A decoded length that does not matter (every format but native FLAC). */
const ANY = { frames: 1, sampleRate: 48000 };
const CLEAN = { cut: undefined, damage: [] };

/** The first `fraction` of a fixture. */
function cut(name: string, fraction: number): Uint8Array {
  const bytes = audioFixture(name);
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

/** The parts one after the other. */
function joined(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** A copy of `bytes` with `count` bytes from `at` overwritten by a fixed pseudo-random pattern. */
function damaged(bytes: Uint8Array, at: number, count: number): Uint8Array {
  const out = bytes.slice();
  let seed = 7;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[at + i] = seed >>> 24;
  }
  return out;
}

describe('inspectContainer: whole files', () => {
  it.each([
    ['speech.mp3', 'mp3'],
    ['speech-44k1-stereo.mp3', 'mp3'],
    ['speech.aac', 'aac'],
    ['speech.m4a', 'm4a'],
    ['speech-vorbis.ogg', 'ogg-vorbis'],
    ['speech-opus.ogg', 'ogg-opus'],
    ['speech-flac.oga', 'ogg-flac'],
  ] as [string, CompressedFormat][])('should find nothing wrong with %s', (name, format) => {
    expect(inspectContainer(audioFixture(name), format, ANY)).toEqual(CLEAN);
  });

  it('should find nothing wrong with a whole native FLAC decoded whole, nor with an ID3v1 tag after it', () => {
    const flac = audioFixture('speech.flac');
    expect(inspectContainer(flac, 'flac', FLAC_WHOLE)).toEqual(CLEAN);
    const tag = new Uint8Array(128);
    tag.set([0x54, 0x41, 0x47]); // "TAG"
    expect(inspectContainer(joined(flac, tag), 'flac', FLAC_WHOLE)).toEqual(CLEAN);
  });

  it('should not take an ID3v1 tag or other data after the last frame or page for a cut or damage', () => {
    const tag = new Uint8Array(128);
    tag.set([0x54, 0x41, 0x47]);
    expect(inspectContainer(joined(audioFixture('speech.mp3'), tag), 'mp3', ANY)).toEqual(CLEAN);
    expect(inspectContainer(joined(audioFixture('speech-vorbis.ogg'), new TextEncoder().encode('trailing junk')), 'ogg-vorbis', ANY)).toEqual(CLEAN);
  });

  it('should not walk WebM or Matroska', () => {
    expect(inspectContainer(cut('speech-opus.webm', 0.6), 'webm', ANY)).toEqual(CLEAN);
  });
});

describe('inspectContainer: cut files', () => {
  it.each([
    ['speech.mp3', 'mp3', /^frame \d+ needs \d+ bytes but the file ends after \d+ bytes?$/],
    ['speech-44k1-stereo.mp3', 'mp3', /^frame \d+ needs/],
    ['speech.aac', 'aac', /^frame \d+ needs/],
    ['speech.m4a', 'm4a', /^the 'mdat' box needs 10208 bytes but the file ends after \d+ bytes$/],
    ['speech-vorbis.ogg', 'ogg-vorbis', /^page 3 needs \d+ bytes but the file ends after \d+ bytes$/],
    ['speech-opus.ogg', 'ogg-opus', /^page 3 needs/],
    ['speech-flac.oga', 'ogg-flac', /^page 3 needs/],
  ] as [string, CompressedFormat, RegExp][])('should say where %s cut at 60%% ends too soon', (name, format, message) => {
    const findings = inspectContainer(cut(name, 0.6), format, ANY);
    expect(findings.cut).toMatch(message);
    expect(findings.damage).toEqual([]);
  });

  it('should find an MP3 cut inside a frame header', () => {
    // the whole file, then the first two bytes of one more frame's header
    expect(inspectContainer(joined(audioFixture('speech.mp3'), Uint8Array.from([0xff, 0xfb])), 'mp3', ANY).cut).toMatch(
      /^the file ends inside the header of frame \d+$/,
    );
  });

  it('should find an Ogg stream cut between pages by its missing end-of-stream page', () => {
    const ogg = audioFixture('speech-opus.ogg');
    const lastPage = Buffer.from(ogg).lastIndexOf('OggS');
    expect(inspectContainer(ogg.subarray(0, lastPage), 'ogg-opus', ANY).cut).toBe('the stream stops after page 3 without its end-of-stream page');
    expect(inspectContainer(ogg.subarray(0, lastPage + 10), 'ogg-opus', ANY).cut).toBe('the file ends inside the header of page 4');
  });

  it('should find a native FLAC cut inside its last frame, or at a frame boundary short of its STREAMINFO count', () => {
    const flac = audioFixture('speech.flac');
    expect(inspectContainer(cut('speech.flac', 0.6), 'flac', { frames: 5760, sampleRate: 16000 }).cut).toBe(
      'its last frame is cut off; 5760 of the 16000 samples its STREAMINFO declares were decoded (0.64 s of audio missing)',
    );
    // the longest head of the file that ends with a whole frame: its frames end before the declared count
    for (let end = Math.floor(flac.length * 0.6); end > 0; end--) {
      const findings = inspectContainer(flac.subarray(0, end), 'flac', { frames: 5760, sampleRate: 16000 });
      if (findings.cut?.startsWith('its last frame is cut off')) continue;
      expect(findings.cut).toMatch(/^its frames end at sample \d+ of the 16000 its STREAMINFO declares \(\d\.\d\d s of audio missing\)$/);
      return;
    }
    throw new Error('no frame boundary found');
  });
});

describe('inspectContainer: damaged files', () => {
  it.each([
    ['speech.mp3', 'mp3'],
    ['speech-44k1-stereo.mp3', 'mp3'],
    ['speech.aac', 'aac'],
  ] as [string, CompressedFormat][])('should count the bytes between frames of %s that are not frames', (name, format) => {
    const bytes = audioFixture(name);
    const findings = inspectContainer(damaged(bytes, Math.floor(bytes.length / 2), 300), format, ANY);
    expect(findings.cut).toBeUndefined();
    expect(findings.damage).toEqual([expect.stringMatching(/^\d+ bytes between frames that are not audio frames \(in 1 place\) were skipped$/)]);
  });

  it('should not count an ID3v2 tag between two runs of frames as damage', () => {
    const mp3 = audioFixture('speech.mp3');
    const frames = mp3.subarray(id3v2Size(mp3, 0));
    const tag = Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10, ...new Uint8Array(10)]); // "ID3" v2.4, a 10-byte body
    expect(inspectContainer(joined(frames, tag, frames), 'mp3', ANY)).toEqual(CLEAN);
  });

  it('should count Ogg pages that fail their checksum', () => {
    const ogg = repaginateOgg(audioFixture('speech-vorbis.ogg'), 8);
    const findings = inspectContainer(damaged(ogg, ogg.length - 60, 40), 'ogg-vorbis', ANY); // inside the last page's body
    expect(findings).toEqual({ cut: undefined, damage: [expect.stringMatching(/^1 of \d+ pages fails its checksum$/)] });
  });

  it('should find the next Ogg page past a damaged page header, not take it for a cut', () => {
    const ogg = repaginateOgg(audioFixture('speech-vorbis.ogg'), 8);
    const pageAt = Buffer.from(ogg).indexOf('OggS', Math.floor(ogg.length / 2));
    const findings = inspectContainer(damaged(ogg, pageAt + 20, 20), 'ogg-vorbis', ANY); // its CRC and segment table
    expect(findings.cut).toBeUndefined();
    expect(findings.damage).toContainEqual(expect.stringMatching(/^\d+ bytes between pages that are not Ogg pages were skipped$/));
  });

  it('should say a native FLAC decoder stopped at damaged data when its frames reach the declared count', () => {
    expect(inspectContainer(audioFixture('speech.flac'), 'flac', { frames: 3456, sampleRate: 16000 })).toEqual({
      cut: undefined,
      damage: ['the decoder stopped at damaged data after 3456 of 16000 samples (0.78 s of audio not decoded)'],
    });
  });
});
