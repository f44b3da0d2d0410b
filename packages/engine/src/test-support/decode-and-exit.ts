/**
 * Child-process script for the at-exit test: decodes one file, fails one decode, prints a JSON
 * summary and then simply returns. The process must exit on its own, with the decode workers
 * still alive but idle.
 * @module
 */
import { decodeAudio } from '../decode-audio.js';
import { AudioDecodeError } from '../errors.js';
import { audioFixture } from './fixtures.js';

const audio = await decodeAudio(audioFixture('wav-s16.wav'));
let code: string | undefined;
try {
  await decodeAudio(audioFixture('bad-flac-corrupt.flac'));
} catch (error) {
  if (error instanceof AudioDecodeError) code = error.code;
}
process.stdout.write(JSON.stringify({ format: audio.format, sampleRate: audio.sampleRate, frames: audio.channels[0]!.length, code }));
