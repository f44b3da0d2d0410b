import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNpy } from '@e2v/npy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPluginHost } from '../../host.js';
import { createRandom, normal } from '@e2v/core';
import { makeResult, tempDir } from '../../test-support/index.js';
import { crossValidate } from './cross-validate.js';
import { embeddingVector, loadTrainingData, type TrainingSet } from './data.js';
import { classifierPlugin } from './index.js';
import { CLASSIFIER_FORMAT_VERSION, fitClassifier, loadClassifier, parseClassifierModel, predict } from './model.js';
import { trainClassifier } from './train.js';

/** Gaussian clusters (sd 1) around well separated random centres in `dim` dimensions. */
function clusters(labels: string[], perLabel: number, dim: number, seed: number): TrainingSet {
  const random = createRandom(seed);
  const centres = labels.map(() => Array.from({ length: dim }, () => 6 * normal(random)));
  const set: TrainingSet = { labels: [], vectors: [] };
  labels.forEach((label, c) => {
    for (let i = 0; i < perLabel; i++) {
      set.labels.push(label);
      set.vectors.push(centres[c]!.map((x) => x + normal(random)));
    }
  });
  return set;
}

/** XOR: label "same" when x and y have the same sign. Not linearly separable. */
function xor(perQuadrant: number, seed: number): TrainingSet {
  const random = createRandom(seed);
  const set: TrainingSet = { labels: [], vectors: [] };
  for (const [sx, sy] of [
    [1, 1],
    [-1, -1],
    [1, -1],
    [-1, 1],
  ] as const) {
    for (let i = 0; i < perQuadrant; i++) {
      set.labels.push(sx === sy ? 'same' : 'different');
      set.vectors.push([sx * (2 + 0.3 * normal(random)), sy * (2 + 0.3 * normal(random))]);
    }
  }
  return set;
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('logistic regression', () => {
  it('should classify separated gaussian clusters with cross-validated accuracy 1 and a diagonal confusion matrix', async () => {
    const set = clusters(['angry', 'happy', 'sad'], 30, 16, 1);
    const { model, crossValidation } = await trainClassifier({ data: set, type: 'logreg', folds: 5, seed: 2 });
    expect(crossValidation).toEqual({
      folds: 5,
      accuracy: 1,
      confusion: {
        labels: ['angry', 'happy', 'sad'],
        matrix: [
          [30, 0, 0],
          [0, 30, 0],
          [0, 0, 30],
        ],
      },
    });
    expect(model).toMatchObject({ type: 'logreg', labels: ['angry', 'happy', 'sad'], dim: 16, version: CLASSIFIER_FORMAT_VERSION });
    const prediction = predict(model, set.vectors[40]!);
    expect(prediction.label).toBe('happy');
    expect(Object.values(prediction.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(prediction.scores.happy).toBeGreaterThan(0.9);
  });

  it('should converge to the optimum: the gradient of the regularised loss vanishes', () => {
    // Two overlapping 1-D classes: a unique optimum with finite weights.
    const set: TrainingSet = { labels: ['a', 'a', 'a', 'b', 'b', 'b'], vectors: [[0], [1], [2.5], [1.5], [3], [4]] };
    const model = fitClassifier(set, { type: 'logreg', l2: 0.1 });
    if (model.type !== 'logreg') throw new Error('expected logreg');
    const x = set.vectors.map((v) => (v[0]! - model.standardizer.mean[0]!) / model.standardizer.scale[0]!);
    let gradW = 0;
    let gradB = 0;
    x.forEach((xi, i) => {
      const pa = predict(model, set.vectors[i]!).scores.a!;
      const err = pa - (set.labels[i] === 'a' ? 1 : 0);
      gradW += (err * xi) / x.length;
      gradB += err / x.length;
    });
    gradW += 0.1 * model.weights[0]![0]!;
    expect(Math.abs(gradW)).toBeLessThan(1e-5);
    expect(Math.abs(gradB)).toBeLessThan(1e-5);
  });
});

describe('k-NN', () => {
  it('should learn XOR, which a linear model cannot', async () => {
    const set = xor(20, 3);
    const knn = await trainClassifier({ data: set, type: 'knn', k: 5, folds: 4, seed: 1 });
    expect(knn.crossValidation?.accuracy).toBe(1);
    expect(predict(knn.model, [2, 2]).label).toBe('same');
    expect(predict(knn.model, [-2, 2])).toEqual({ label: 'different', scores: { different: 1, same: 0 } });
    const linear = await trainClassifier({ data: set, type: 'logreg', folds: 4, seed: 1 });
    expect(linear.crossValidation!.accuracy).toBeLessThan(0.8);
  });
});

describe('cross-validation', () => {
  it('should be reproducible for a seed and reject impossible fold counts', () => {
    const set = clusters(['a', 'b'], 10, 3, 4);
    expect(crossValidate(set, { type: 'knn', k: 3 }, 5, 7)).toEqual(crossValidate(set, { type: 'knn', k: 3 }, 5, 7));
    expect(() => crossValidate(set, { type: 'knn' }, 21, 0)).toThrow(expect.objectContaining({ code: 'E2V_ERR_CLASSIFIER_DATA' }));
    expect(() => crossValidate(set, { type: 'knn' }, 1, 0)).toThrow(/folds/);
  });

  it('should count every mistake in the confusion matrix', () => {
    // Identical vectors with different labels: 1-NN keeps the training order on ties.
    const set: TrainingSet = {
      labels: ['a', 'b', 'a', 'b'],
      vectors: [
        [1, 0],
        [1, 0],
        [0, 1],
        [0, 1],
      ],
    };
    const { confusion, accuracy } = crossValidate(set, { type: 'knn', k: 1 }, 2, 0);
    const total = confusion.matrix.flat().reduce((s, n) => s + n, 0);
    expect(total).toBe(4);
    expect(accuracy).toBe((confusion.matrix[0]![0]! + confusion.matrix[1]![1]!) / 4);
  });
});

describe('model files', () => {
  it('should save and load models of both types', async () => {
    for (const type of ['logreg', 'knn'] as const) {
      const set = clusters(['x', 'y'], 8, 4, 5);
      const { model } = await trainClassifier({ data: set, type, folds: 0, out: join(dir, `${type}.json`) });
      const loaded = await loadClassifier(join(dir, `${type}.json`));
      expect(loaded).toEqual(model);
      expect(predict(loaded, set.vectors[0]!)).toEqual(predict(model, set.vectors[0]!));
    }
  });

  it.each([
    ['not a model', { hello: 1 }, /"format"/],
    ['a newer version', { format: 'e2v-classifier', version: 99 }, /version 99 is not supported/],
    [
      'bad weights',
      {
        format: 'e2v-classifier',
        version: 1,
        type: 'logreg',
        labels: ['a', 'b'],
        dim: 1,
        standardizer: { mean: [0], scale: [1] },
        weights: [[1]],
        bias: [0, 0],
      },
      /"weights"/,
    ],
    [
      'bad targets',
      {
        format: 'e2v-classifier',
        version: 1,
        type: 'knn',
        k: 1,
        labels: ['a', 'b'],
        dim: 1,
        standardizer: { mean: [0], scale: [1] },
        points: [[1]],
        targets: [5],
      },
      /"targets"/,
    ],
    [
      'an unknown type',
      { format: 'e2v-classifier', version: 1, type: 'svm', labels: ['a', 'b'], dim: 1, standardizer: { mean: [0], scale: [1] } },
      /unknown "type"/,
    ],
  ])('should reject %s', (_what, json, message) => {
    expect(() => parseClassifierModel(json, 'm.json')).toThrow(
      expect.objectContaining({ code: 'E2V_ERR_CLASSIFIER_MODEL', message: expect.stringMatching(message) }),
    );
  });

  it('should reject an unreadable file and an embedding of the wrong size', async () => {
    await expect(loadClassifier(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'E2V_ERR_CLASSIFIER_MODEL' });
    const { model } = await trainClassifier({ data: clusters(['x', 'y'], 4, 3, 1), type: 'knn', folds: 0 });
    expect(() => predict(model, [1, 2])).toThrow(/dimension 3 but received 2/);
  });
});

describe('training data', () => {
  const writeNpy = async (path: string, data: number[], shape: number[]) => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, encodeNpy(Float32Array.from(data), shape));
  };

  it('should read DIR/<label>/*.npy, averaging (T, D) frame embeddings', async () => {
    await writeNpy(join(dir, 'data', 'happy', 'b.npy'), [1, 2], [2]);
    await writeNpy(join(dir, 'data', 'happy', 'a.npy'), [0, 0, 2, 4], [2, 2]);
    await writeNpy(join(dir, 'data', 'angry', 'c.npy'), [5, 5], [2]);
    await writeFile(join(dir, 'data', 'angry', 'notes.txt'), 'ignored');
    expect(await loadTrainingData(join(dir, 'data'))).toEqual({
      labels: ['angry', 'happy', 'happy'],
      vectors: [
        [5, 5],
        [1, 2],
        [1, 2],
      ],
    });
  });

  it('should read CSV rows of features or .npy paths, with an optional header', async () => {
    await writeNpy(join(dir, 'emb', 'one.npy'), [3, 4], [2]);
    await writeFile(join(dir, 'features.csv'), 'label,f0,f1\nangry,1,2\n"sad, very",3.5,-4\n');
    await writeFile(join(dir, 'paths.csv'), 'happy,emb/one.npy\r\n\r\nsad,emb/one.npy\r\n');
    expect(await loadTrainingData(join(dir, 'features.csv'))).toEqual({
      labels: ['angry', 'sad, very'],
      vectors: [
        [1, 2],
        [3.5, -4],
      ],
    });
    expect(await loadTrainingData(join(dir, 'paths.csv'))).toEqual({
      labels: ['happy', 'sad'],
      vectors: [
        [3, 4],
        [3, 4],
      ],
    });
  });

  it.each([
    ['a missing file', null, /cannot be read/],
    ['a non-number feature', 'a,1,x\n', /row 1: a feature is not a finite number/],
    ['a row without features', 'a\n', /row 1: expected label,path/],
    ['a missing .npy', 'a,nope.npy\n', /nope\.npy/],
    ['an unterminated quote', 'a,"1\n', /Unterminated/],
  ])('should reject %s', async (_what, text, message) => {
    if (text !== null) await writeFile(join(dir, 'bad.csv'), text);
    await expect(loadTrainingData(join(dir, 'bad.csv'))).rejects.toMatchObject({ code: 'E2V_ERR_CLASSIFIER_DATA', message: expect.stringMatching(message) });
  });

  it('should reject one-label or ragged training sets', async () => {
    await expect(trainClassifier({ data: { labels: ['a', 'a'], vectors: [[1], [2]] }, type: 'knn', folds: 0 })).rejects.toThrow(/at least 2 labels/);
    await expect(trainClassifier({ data: { labels: ['a', 'b'], vectors: [[1], [2, 3]] }, type: 'knn', folds: 0 })).rejects.toMatchObject({
      code: 'E2V_ERR_CLASSIFIER_DATA',
    });
  });

  it('should reject embeddings of another rank', () => {
    expect(() => embeddingVector({ data: new Float32Array(8), shape: [2, 2, 2] })).toThrow(expect.objectContaining({ code: 'E2V_ERR_CLASSIFIER_DATA' }));
  });
});

describe('classifier plugin', () => {
  it('should add { label, scores } for results with an embedding, nothing without', async () => {
    const set = clusters(['calm', 'tense'], 10, 4, 8);
    await trainClassifier({ data: set, type: 'logreg', folds: 0, out: join(dir, 'models', 'm.json') });
    const host = await createPluginHost({
      plugins: [{ plugin: classifierPlugin, options: { model: 'models/m.json' }, baseDir: dir }],
      stateDir: join(dir, 'state'),
    });
    const analysis = { id: 'r', input: { name: 'x.wav' }, options: { embedding: true } };
    const frames = Float32Array.from([...set.vectors[15]!, ...set.vectors[16]!]);
    const out = await host.onResult(makeResult(), { ...analysis, embedding: { data: frames, shape: [2, 4] } });
    expect(out.plugins.classifier).toMatchObject({ label: 'tense', scores: { calm: expect.any(Number), tense: expect.any(Number) } });
    expect((await host.onResult(makeResult(), analysis)).plugins).toEqual({});
    const wrong = await host.onResult(makeResult(), { ...analysis, embedding: { data: new Float32Array(3), shape: [3] } });
    expect(wrong.plugins.classifier?.error).toMatchObject({ code: 'E2V_ERR_PLUGIN_THREW', message: /dimension 4/ });
    await host.close();
  });

  it('should fail start-up for missing options or a missing model', async () => {
    const start = (options: unknown) => createPluginHost({ plugins: [{ plugin: classifierPlugin, options, baseDir: dir }], stateDir: join(dir, 'state') });
    await expect(start({})).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_OPTIONS', message: /classifier options\.model/ });
    await expect(start({ model: 'm.json', extra: 1 })).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_OPTIONS', message: /Unknown option/ });
    await expect(start({ model: 'missing.json' })).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_SETUP', message: /missing\.json/ });
  });
});
