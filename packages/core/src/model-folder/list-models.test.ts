import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listModels } from './list-models.js';
import { parseRegistry } from './registry.js';

const model = (id: string, approxBytes: (number | null)[]): Record<string, unknown> => ({
  id,
  description: `the ${id} model`,
  huggingface: `owner/${id}`,
  modelscope: `owner/${id}`,
  sampleRate: 16000,
  labels: [{ key: 'angry', zh: '生气' }],
  files: approxBytes.map((bytes, i) => ({ name: `f${i}`, approxBytes: bytes, sha256: null })),
});
const REGISTRY = parseRegistry({ schemaVersion: 1, models: [model('a', [10, 20]), model('b', [5, null]), model('c', [1])] });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'e2v-models-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('listModels', () => {
  it('should list every registry model, installed when its folder holds a model.json file', async () => {
    await mkdir(path.join(dir, 'a'));
    await writeFile(path.join(dir, 'a', 'model.json'), '{}');
    await mkdir(path.join(dir, 'b', 'model.json'), { recursive: true }); // a folder is no manifest
    const listed = await listModels(dir, REGISTRY);
    expect(listed.map((m) => [m.id, m.installed, m.dir])).toEqual([
      ['a', true, path.join(dir, 'a')],
      ['b', false, path.join(dir, 'b')],
      ['c', false, path.join(dir, 'c')],
    ]);
    expect(listed[0]).toMatchObject({ description: 'the a model', huggingface: 'owner/a', modelscope: 'owner/a' });
  });

  it('should add up the approximate download size, or give null when a file has none', async () => {
    expect((await listModels(dir, REGISTRY)).map((m) => m.approxBytes)).toEqual([30, null, 1]);
  });
});
