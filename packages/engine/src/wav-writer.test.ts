import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWavPcm16, Pcm16WavWriter } from './wav-writer.js';

describe('encodeWavPcm16', () => {
  it('should write a canonical 44-byte header and scaled, clipped int16 samples', () => {
    const wav = encodeWavPcm16(Float32Array.from([0, 0.5, -0.5, 1, -1, 2, 1 / 32768, -3 / 32768]), 16000);
    const v = new DataView(wav.buffer);
    const ascii = (at: number): string => String.fromCharCode(...wav.subarray(at, at + 4));
    expect([ascii(0), v.getUint32(4, true), ascii(8), ascii(12), v.getUint32(16, true)]).toEqual(['RIFF', 36 + 16, 'WAVE', 'fmt ', 16]);
    expect([v.getUint16(20, true), v.getUint16(22, true), v.getUint32(24, true), v.getUint32(28, true), v.getUint16(32, true), v.getUint16(34, true)]).toEqual([
      1, 1, 16000, 32000, 2, 16,
    ]);
    expect([ascii(36), v.getUint32(40, true)]).toEqual(['data', 16]);
    expect(Array.from({ length: 8 }, (_, i) => v.getInt16(44 + 2 * i, true))).toEqual([0, 16384, -16384, 32767, -32768, 32767, 1, -3]);
  });
});

describe('Pcm16WavWriter', () => {
  it('should write the same bytes as encodeWavPcm16, block by block', async () => {
    const samples = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i / 7));
    const path = join(await mkdtemp(join(tmpdir(), 'e2v-wav-')), 'a.wav');
    const writer = await Pcm16WavWriter.create(path, 16000);
    for (let at = 0; at < samples.length; at += 300) await writer.append(samples.subarray(at, at + 300));
    await writer.close();
    expect(new Uint8Array(await readFile(path))).toEqual(encodeWavPcm16(samples, 16000));
  });
});
