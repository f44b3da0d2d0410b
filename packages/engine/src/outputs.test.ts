import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceError } from './errors.js';
import { encodeWavPcm16, outputsFolderName, removeStaleStaging, writeOutputsFolder, type OutputsContent } from './outputs.js';
import type { Result } from './result/types.js';

const RESULT = { emotion: 'happy' } as unknown as Result;

function content(embedding: OutputsContent['embedding'] = null): OutputsContent {
  return { audio: Float32Array.from([0, 0.5, -0.5, 1, -1, 2]), sampleRate: 16000, result: RESULT, embedding };
}

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

describe('outputsFolderName', () => {
  it('should format the local time as outputs_YYYYMMDD_HHMMSS', () => {
    expect(outputsFolderName(new Date(2026, 0, 2, 3, 4, 5))).toBe('outputs_20260102_030405');
  });
});

describe('writeOutputsFolder', () => {
  it('should add _N suffixes when the name is taken, and leave no temporary folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const now = new Date(2026, 10, 24, 12, 0, 0);
    const written = await Promise.all(Array.from({ length: 5 }, () => writeOutputsFolder(dir, content(), now)));
    expect(written.map((p) => p.slice(dir.length + 1)).sort()).toEqual([
      'outputs_20261124_120000',
      'outputs_20261124_120000_1',
      'outputs_20261124_120000_2',
      'outputs_20261124_120000_3',
      'outputs_20261124_120000_4',
    ]);
    expect((await readdir(dir)).sort()).toEqual(written.map((p) => p.slice(dir.length + 1)).sort());
    for (const p of written) expect((await readdir(p)).sort()).toEqual(['processed_audio.wav', 'result.json']);
  });

  it('should write embedding.npy when given one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const path = await writeOutputsFolder(dir, content({ data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] }));
    const npy = await readFile(join(path, 'embedding.npy'));
    expect(npy.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    expect(npy.toString('latin1')).toContain("'shape': (2, 3)");
    expect(JSON.parse(await readFile(join(path, 'result.json'), 'utf8'))).toEqual(RESULT);
  });

  it('should fail with E2V_ERR_OUTPUT_WRITE and leave nothing behind when the folder cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    await writeFile(join(dir, 'file'), 'x');
    const error = await writeOutputsFolder(join(dir, 'file', 'sub'), content()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).code).toBe('E2V_ERR_OUTPUT_WRITE');
    expect(await readdir(dir)).toEqual(['file']);
  });

  it('should not treat a file with the folder name as free', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const now = new Date(2026, 10, 24, 12, 0, 0);
    await writeFile(join(dir, 'outputs_20261124_120000'), 'not a folder');
    await mkdir(join(dir, 'outputs_20261124_120000_1', 'x'), { recursive: true });
    const path = await writeOutputsFolder(dir, content(), now);
    expect(path).toBe(join(dir, 'outputs_20261124_120000_2'));
  });
});

describe('removeStaleStaging', () => {
  it('should remove the staging folders of dead processes only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-staging-'));
    // a pid that cannot run: above the kernel's pid_max (at most 2^22 on Linux)
    const dead = join(dir, '.outputs-tmp-99999999-abcdef012345');
    const mine = join(dir, `.outputs-tmp-${process.pid}-abcdef012345`);
    const parent = join(dir, `.outputs-tmp-${process.ppid}-0123456789ab`);
    const other = join(dir, 'outputs_20261206_010203');
    for (const d of [dead, mine, parent, other]) await mkdir(d);
    await writeFile(join(dead, 'processed_audio.wav'), new Uint8Array(10));
    expect(await removeStaleStaging(dir)).toEqual([dead]);
    expect((await readdir(dir)).sort()).toEqual([parent, mine, other].map((p) => p.slice(dir.length + 1)).sort());
    expect(await removeStaleStaging(join(dir, 'missing'))).toEqual([]);
  });
});
