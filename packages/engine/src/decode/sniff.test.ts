import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audioFixture } from '../test-support/fixtures.js';
import { findFrameStream, id3v2Size, mpegFrameLength, parseAdtsFrameLength, parseMpegAudioHeader } from './mpeg-header.js';
import { sniffFormat } from './sniff.js';

function bytesOf(text: string): Uint8Array {
  return new Uint8Array(Array.from(text, (c) => c.charCodeAt(0)));
}

describe('sniffFormat: formats it decodes', () => {
  it.each([
    ['speech-16k.wav', 'wav'],
    ['wav-s16-rf64.wav', 'wav'],
    ['speech.mp3', 'mp3'],
    ['speech-44k1-stereo.mp3', 'mp3'],
    ['speech.aac', 'aac'],
    ['speech.m4a', 'm4a'],
    ['speech.flac', 'flac'],
    ['speech-flac.oga', 'ogg-flac'],
    ['speech-vorbis.ogg', 'ogg-vorbis'],
    ['speech-opus.ogg', 'ogg-opus'],
    ['speech-opus.webm', 'webm'],
    ['speech-opus-live.webm', 'webm'],
  ])('should recognise %s as %s', (name, format) => {
    expect(sniffFormat(audioFixture(name))).toEqual({ format });
  });

  it('should find MPEG audio after an ID3v2 tag and leading junk, without the tag', () => {
    const mp3 = audioFixture('speech.mp3');
    const tag = id3v2Size(mp3, 0);
    expect(tag).toBe(20); // ffmpeg's minimal ID3v2.4 tag
    const junk = new Uint8Array(100).fill(0);
    expect(sniffFormat(new Uint8Array([...junk, ...mp3.subarray(tag)]))).toEqual({ format: 'mp3' });
    expect(sniffFormat(mp3.subarray(tag))).toEqual({ format: 'mp3' });
  });

  it('should take FLAC behind an ID3v2 tag for FLAC', () => {
    const flac = audioFixture('speech.flac');
    const tag = audioFixture('speech.mp3').subarray(0, 20);
    expect(sniffFormat(new Uint8Array([...tag, ...flac]))).toEqual({ format: 'flac' });
  });

  it('should read WebM vs Matroska from the EBML DocType', () => {
    const webm = audioFixture('speech-opus.webm');
    const at = webm.findIndex((b, i) => b === 0x42 && webm[i + 1] === 0x82); // DocType id, size, "webm"
    expect(String.fromCharCode(...webm.subarray(at + 3, at + 7))).toBe('webm');
    const mkv = webm.slice();
    mkv.set(bytesOf('matr'), at + 3);
    expect(sniffFormat(mkv)).toEqual({ format: 'matroska' });
  });
});

describe('sniffFormat: what it does not decode', () => {
  it.each([
    ['bad-aiff.aiff', /^AIFF audio is not supported$/],
    ['bad-ogg-unknown-codec.ogg', /^Ogg Theora video is not supported$/],
    ['bad-garbage.bin', /^Unrecognised audio format \(first bytes: e1 3b 03/],
    ['bad-text.txt', /^Unrecognised audio format \(first bytes: 54 68 69 73/],
  ])('should name %s', (name, message) => {
    const result = sniffFormat(audioFixture(name));
    expect(result.format).toBeUndefined();
    expect(result.format === undefined && result.unsupported).toMatch(message);
  });

  it.each([
    ['RIFF\0\0\0\0AVI LIST', /^AVI video/],
    ['\x89PNG\r\n\x1a\n', /^PNG image/],
    ['%PDF-1.7', /^PDF document/],
    ['PK\x03\x04', /^ZIP archive/],
    ['#!AMR\n', /^AMR audio/],
    ['caff\0\x01', /^Core Audio Format/],
  ])('should name magic %j', (magic, message) => {
    const result = sniffFormat(bytesOf(magic));
    expect(result.format === undefined && result.unsupported).toMatch(message);
  });

  it('should never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const result = sniffFormat(bytes);
        expect(result.format === undefined ? typeof result.unsupported : result.format).toBeTypeOf('string');
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});

describe('MPEG audio and ADTS frame headers', () => {
  it('should parse the first frame of a mono 48 kHz 64 kb/s MP3', () => {
    const mp3 = audioFixture('speech.mp3');
    const start = findFrameStream(mp3, 20, mpegFrameLength);
    expect(start).toBe(20);
    expect(parseMpegAudioHeader(mp3, 20)).toEqual({ version: 1, layer: 3, sampleRate: 48000, channels: 1, frameLength: 192 });
  });

  it('should parse ADTS frame lengths and reject MPEG headers as ADTS', () => {
    const aac = audioFixture('speech.aac');
    expect(parseAdtsFrameLength(aac, 0)).toBeGreaterThan(7);
    expect(parseAdtsFrameLength(audioFixture('speech.mp3'), 20)).toBeNull();
    expect(parseMpegAudioHeader(aac, 0)).toBeNull();
  });

  it('should not take a lone sync word in random data for a stream', () => {
    const bytes = new Uint8Array(1000);
    bytes.set([0xff, 0xfb, 0x50, 0xc4], 500); // one valid header, nothing valid after it
    expect(findFrameStream(bytes, 0, mpegFrameLength)).toBeNull();
  });

  it('should not see an ID3v2 tag with a non-synchsafe size', () => {
    expect(id3v2Size(bytesOf('ID3\x04\0\0\x80\0\0\0'), 0)).toBe(0);
    expect(id3v2Size(bytesOf('ID3\x04\0\x10\0\0\0\x05'), 0)).toBe(25);
  });
});
