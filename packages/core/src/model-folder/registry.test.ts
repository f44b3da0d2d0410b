import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.js';
import { DEFAULT_MODEL_NAME, DEFAULT_REGISTRY_PATH, defaultModelsDir, findModel, loadRegistry, parseRegistry } from './registry.js';

const LABELS = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'other', 'sad', 'surprised', 'unknown'];
const ZH = ['生气', '厌恶', '恐惧', '开心', '中立', '其他', '难过', '吃惊', '<unk>'];

function validModel(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'm1',
    description: 'd',
    huggingface: 'a/b',
    modelscope: 'c/d',
    sampleRate: 16000,
    labels: [{ key: 'angry', zh: '生气' }],
    files: [{ name: 'model.pt', approxBytes: 10, sha256: null }],
    ...over,
  };
}

describe('models/manifest.json', () => {
  it('should list the three emotion2vec+ models with their hubs, files and labels', () => {
    const reg = loadRegistry();
    expect(DEFAULT_REGISTRY_PATH.endsWith(path.join('models', 'manifest.json'))).toBe(true);
    expect(reg.models.map((m) => m.id)).toEqual(['emotion2vec_plus_large', 'emotion2vec_plus_base', 'emotion2vec_plus_seed']);
    for (const m of reg.models) {
      expect(m.huggingface).toBe(`emotion2vec/${m.id}`);
      expect(m.modelscope).toBe(`iic/${m.id}`);
      expect(m.sampleRate).toBe(16000);
      expect(m.files.map((f) => f.name)).toEqual(['model.pt', 'config.yaml', 'tokens.txt']);
      expect(m.labels.map((l) => l.key)).toEqual(LABELS);
      expect(m.labels.map((l) => l.zh)).toEqual(ZH);
    }
    expect(findModel('emotion2vec_plus_large', reg).files[0]?.approxBytes).toBe(1_945_790_254);
  });

  it('should list the default model', () => {
    expect(findModel(DEFAULT_MODEL_NAME, loadRegistry()).id).toBe('emotion2vec_plus_large');
  });
});

describe('findModel', () => {
  it('should throw E2V_ERR_PULL_UNKNOWN_MODEL listing the known names', () => {
    const reg = loadRegistry();
    let err: unknown;
    try {
      findModel('emotion2vec_plus_huge', reg);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ name: 'RegistryError', code: 'E2V_ERR_PULL_UNKNOWN_MODEL' });
    expect((err as Error).message).toMatch(/"emotion2vec_plus_huge".*emotion2vec_plus_large, emotion2vec_plus_base, emotion2vec_plus_seed/);
  });
});

describe('parseRegistry', () => {
  it('should accept a minimal valid manifest and default missing sha256 to null', () => {
    const m = validModel({ files: [{ name: 'x.bin', approxBytes: null }] });
    const reg = parseRegistry({ schemaVersion: 1, models: [m] });
    expect(reg.models[0]?.files[0]).toEqual({ name: 'x.bin', approxBytes: null, sha256: null });
  });

  it.each([
    ['a wrong schemaVersion', { schemaVersion: 2, models: [] }, /schemaVersion must be 1/],
    ['a file name with a folder', { schemaVersion: 1, models: [validModel({ files: [{ name: '../x', sha256: null }] })] }, /files\[0\]\.name/],
    ['an uppercase / short sha256', { schemaVersion: 1, models: [validModel({ files: [{ name: 'a', sha256: 'ABC' }] })] }, /files\[0\]\.sha256/],
    ['a repo without owner', { schemaVersion: 1, models: [validModel({ huggingface: 'nope' })] }, /models\[0\]\.huggingface/],
    ['a duplicate id', { schemaVersion: 1, models: [validModel(), validModel()] }, /m1 appears twice/],
    ['a duplicate file', { schemaVersion: 1, models: [validModel({ files: [{ name: 'a' }, { name: 'a' }] })] }, /lists a twice/],
    ['no labels', { schemaVersion: 1, models: [validModel({ labels: [] })] }, /labels must be a non-empty array/],
    ['a bad sample rate', { schemaVersion: 1, models: [validModel({ sampleRate: 0 })] }, /sampleRate/],
  ])('should reject %s with E2V_ERR_PULL_REGISTRY', (_what, json, re) => {
    expect(() => parseRegistry(json, 'test.json')).toThrow(re);
    expect(() => parseRegistry(json, 'test.json')).toThrow(expect.objectContaining({ code: 'E2V_ERR_PULL_REGISTRY' }));
  });

  it('should report a missing or non-JSON file with its path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'e2v-reg-'));
    const bad = path.join(dir, 'manifest.json');
    writeFileSync(bad, '{ not json');
    try {
      expect(() => loadRegistry(bad)).toThrow(expect.objectContaining({ code: 'E2V_ERR_PULL_REGISTRY', message: expect.stringContaining(bad) }));
      expect(() => loadRegistry(path.join(dir, 'missing.json'))).toThrow(/Cannot read the model registry/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('defaultModelsDir', () => {
  it('should be the folder of the manifest unless E2V_MODELS_DIR is set', () => {
    expect(defaultModelsDir({})).toBe(path.dirname(DEFAULT_REGISTRY_PATH));
    expect(defaultModelsDir({ E2V_MODELS_DIR: 'some/dir' })).toBe(path.resolve('some/dir'));
  });
});
