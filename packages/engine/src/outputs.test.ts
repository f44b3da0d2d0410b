import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceError } from './errors.js';
import { readNpy } from '@e2v/npy';
import { OutputsStaging, removeStaleStaging } from './outputs.js';
import type { Result } from '@e2v/core';
import { encodeWavPcm16 } from './wav-writer.js';

const RESULT = { emotion: 'happy', frames: null } as unknown as Result;
const AUDIO = Float32Array.from([0, 0.5, -0.5, 1, -1, 2]);

/** A whole outputs folder written in one go. */
async function writeOutputsFolder(outputDir: string, embedding: Float32Array | null = null, now = new Date()): Promise<string> {
  const staging = await OutputsStaging.open(outputDir, { sampleRate: 16000 });
  await staging.appendAudio(AUDIO);
  return staging.commit(RESULT, embedding, now);
}

describe('OutputsStaging', () => {
  it('should add _N suffixes when the name is taken, and leave no temporary folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const now = new Date(2026, 10, 24, 12, 0, 0);
    const written = await Promise.all(Array.from({ length: 5 }, () => writeOutputsFolder(dir, null, now)));
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

  it('should write embedding.npy when given an utterance embedding, and the audio as appended', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const path = await writeOutputsFolder(dir, Float32Array.from([1, 2, 3]));
    const npy = readNpy(await readFile(join(path, 'embedding.npy')));
    expect([npy.shape, Array.from(npy.data)]).toEqual([[3], [1, 2, 3]]);
    expect(JSON.parse(await readFile(join(path, 'result.json'), 'utf8'))).toEqual(RESULT);
    expect(new Uint8Array(await readFile(join(path, 'processed_audio.wav')))).toEqual(encodeWavPcm16(AUDIO, 16000));
  });

  it('should stream a frame embedding and the audio block by block', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const staging = await OutputsStaging.open(dir, { sampleRate: 16000, frameEmbeddingDim: 2 });
    await staging.appendAudio(AUDIO.subarray(0, 4));
    await staging.appendFrameEmbedding(Float32Array.from([1, 2, 3, 4]));
    await staging.appendAudio(AUDIO.subarray(4));
    await staging.appendFrameEmbedding(Float32Array.from([5, 6]));
    const path = await staging.commit(RESULT, null, new Date());
    const npy = readNpy(await readFile(join(path, 'embedding.npy')));
    expect([npy.shape, Array.from(npy.data)]).toEqual([
      [3, 2],
      [1, 2, 3, 4, 5, 6],
    ]);
    expect(new Uint8Array(await readFile(join(path, 'processed_audio.wav')))).toEqual(encodeWavPcm16(AUDIO, 16000));
  });

  it('should remove the hidden folder on discard, and refuse to go on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const staging = await OutputsStaging.open(dir, { sampleRate: 16000 });
    await staging.appendAudio(AUDIO);
    expect((await readdir(dir)).length).toBe(1);
    await staging.discard();
    expect(await readdir(dir)).toEqual([]);
    await expect(staging.commit(RESULT, null, new Date())).rejects.toMatchObject({ code: 'E2V_ERR_OUTPUT_WRITE' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('should fail with E2V_ERR_OUTPUT_WRITE and leave nothing behind when the folder cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    await writeFile(join(dir, 'file'), 'x');
    const error = await writeOutputsFolder(join(dir, 'file', 'sub')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).code).toBe('E2V_ERR_OUTPUT_WRITE');
    expect(await readdir(dir)).toEqual(['file']);
  });

  it('should not treat a file with the folder name as free', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const now = new Date(2026, 10, 24, 12, 0, 0);
    await writeFile(join(dir, 'outputs_20261124_120000'), 'not a folder');
    await mkdir(join(dir, 'outputs_20261124_120000_1', 'x'), { recursive: true });
    const path = await writeOutputsFolder(dir, null, now);
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
