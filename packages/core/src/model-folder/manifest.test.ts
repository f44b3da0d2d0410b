import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.js';
import { parseManifest } from './manifest.js';

const GOOD = {
  format: 'e2v-model',
  name: 'm',
  labels: [
    { key: 'angry', zh: '愤怒', token: '生气/angry' },
    { key: 'unuse_0', zh: '', token: 'unuse_0' },
    { key: 'unknown', zh: '', token: '<unk>' },
  ],
  sampleRate: 16000,
  frameRate: 50,
  embeddingDim: 32,
  normalize: true,
  normalizeEps: 1e-5,
  minInputSamples: 400,
  variant: 'fp32',
  variants: { fp32: { model: 'model.onnx', data: 'model.onnx.data' } },
  maskedLabels: { indices: [1], keys: ['unuse_0'] },
  future: { anything: true },
};

function parse(edit: (m: Record<string, unknown>) => void = () => undefined): ReturnType<typeof parseManifest> {
  const m = structuredClone(GOOD) as Record<string, unknown>;
  edit(m);
  return parseManifest(JSON.stringify(m), '/models/m');
}

function problem(edit: (m: Record<string, unknown>) => void): string {
  try {
    parse(edit);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    expect(error).toMatchObject({ code: 'E2V_ERR_MODEL_MANIFEST', modelDir: '/models/m' });
    return (error as Error).message;
  }
  throw new Error('parsed');
}

describe('parseManifest', () => {
  it('should read the fields a reader uses and ignore unknown ones', () => {
    expect(parse()).toEqual({
      name: 'm',
      labels: GOOD.labels,
      sampleRate: 16000,
      frameRate: 50,
      embeddingDim: 32,
      normalize: true,
      normalizeEps: 1e-5,
      minInputSamples: 400,
      variant: 'fp32',
      variants: GOOD.variants,
      maskedLabels: { indices: [1], keys: ['unuse_0'] },
      random: false,
    });
  });

  it('should read labels of an older model.json, which has no tokens, with a null token', () => {
    const older = parse(
      (m) =>
        (m.labels = [
          { key: 'angry', zh: '生气' },
          { key: 'unknown', zh: '' },
        ]),
    );
    expect(older.labels).toEqual([
      { key: 'angry', zh: '生气', token: null },
      { key: 'unknown', zh: '', token: null },
    ]);
  });

  it.each([
    ['labels', (m: Record<string, unknown>) => (m.labels = []), /labels must be a non-empty array/],
    ['duplicate label', (m: Record<string, unknown>) => (m.labels = [{ key: 'a' }, { key: 'a' }]), /duplicate/],
    ['sampleRate', (m: Record<string, unknown>) => (m.sampleRate = 8000), /16 kHz/],
    ['normalize', (m: Record<string, unknown>) => (m.normalize = 'yes'), /normalize/],
    ['variants', (m: Record<string, unknown>) => (m.variants = {}), /no fp32 or int8/],
    ['path in variants', (m: Record<string, unknown>) => (m.variants = { fp32: { model: '../x.onnx', data: 'd' } }), /file name in the folder/],
    ['masked index', (m: Record<string, unknown>) => (m.maskedLabels = { indices: [9] }), /maskedLabels/],
    ['format', (m: Record<string, unknown>) => (m.format = 'other'), /format/],
    ['graph input', (m: Record<string, unknown>) => (m.graph = { input: 'audio' }), /graph\.input/],
  ])('should name a bad %s', (_, edit, message) => {
    expect(problem(edit)).toMatch(message);
  });
});
