/**
 * The embedding tools and plugins through the built `e2v` executable: similarity of audio and
 * .npy inputs, clustering with a known answer, classifier training with a known answer, and the
 * trained classifier, the sink and the example plugin package running inside `e2v analyze`.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '@e2v/npy';
import { createRandom } from '@e2v/core';
import { GOLDEN_DIR, testModelDir } from '@e2v/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

const cliMain = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const EXAMPLE_PLUGIN = fileURLToPath(new URL('../../examples/e2v-plugin-example/', import.meta.url));
const SPEECH = join(GOLDEN_DIR, 'inputs', 'speech_16k_mono.wav');
const OTHER = join(GOLDEN_DIR, 'inputs', 'white_noise_16k.wav');

function e2v(args: string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', timeout: 60_000, ...(cwd === undefined ? {} : { cwd }) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes `count` .npy vectors around `centre` (noise ±0.1) into `dir`. */
async function writeCluster(dir: string, centre: number[], count: number, seed: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const next = createRandom(seed);
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = join(dir, `v${i}.npy`);
    await writeFile(file, encodeNpy(new Float32Array(centre.map((c) => c + (next() - 0.5) * 0.2)), [centre.length]));
    files.push(file);
  }
  return files;
}

const DIM = 32;
const centreA = Array.from({ length: DIM }, (_, i) => (i < DIM / 2 ? 1 : 0));
const centreB = Array.from({ length: DIM }, (_, i) => (i < DIM / 2 ? 0 : 1));
let data: string;
beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'e2v-embeddings-'));
  await writeCluster(join(data, 'calm'), centreA, 12, 1);
  await writeCluster(join(data, 'anxious'), centreB, 12, 2);
});

describe('e2v similarity', () => {
  it('should give 1 for the same audio and less for different audio, from audio or .npy', async () => {
    const model = ['--model', testModelDir('tiny-a')];
    expect(Number(e2v(['similarity', SPEECH, SPEECH, ...model]).stdout)).toBeCloseTo(1, 6);
    const different = JSON.parse(e2v(['similarity', SPEECH, OTHER, '--json', ...model]).stdout) as { cosine: number; dim: number };
    expect(different.dim).toBe(DIM);
    expect(different.cosine).toBeLessThan(0.999);
    const out = join(data, 'analyzed');
    expect(e2v(['analyze', SPEECH, '--embedding', '--out', out, ...model]).status).toBe(0);
    const record = JSON.parse(await readFile(join(out, 'results.jsonl'), 'utf8')) as { embedding_npy: string };
    expect(Number(e2v(['similarity', record.embedding_npy, SPEECH, ...model]).stdout)).toBeCloseTo(1, 5);
    expect(Number(e2v(['similarity', join(data, 'calm', 'v0.npy'), join(data, 'anxious', 'v0.npy')]).stdout)).toBeLessThan(0.2);
  });

  it('should refuse one input with a usage error', () => {
    expect(e2v(['similarity', SPEECH]).status).toBe(2);
  });
});

describe('e2v cluster', () => {
  it('should find the two groups, choosing k by silhouette, and write assignments and summaries', async () => {
    const out = join(data, 'clusters');
    const run = e2v(['cluster', join(data, 'calm'), `${data}/anxious/*.npy`, '--out', out, '--seed', '3', '--k-range', '2-5']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^k = 2 \(best mean silhouette over 2-5\)/);
    const rows = (await readFile(join(out, 'assignments.csv'), 'utf8'))
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(rows).toHaveLength(24);
    const clusterOf = (group: string): Set<string> => new Set(rows.filter((r) => r[0]!.includes(`/${group}/`)).map((r) => r[1]!));
    expect(clusterOf('calm').size).toBe(1);
    expect(clusterOf('anxious').size).toBe(1);
    expect([...clusterOf('calm')][0]).not.toBe([...clusterOf('anxious')][0]);
    const summary = JSON.parse(await readFile(join(out, 'clusters.json'), 'utf8')) as { k: number; silhouette: number; clusters: { size: number }[] };
    expect(summary.k).toBe(2);
    expect(summary.silhouette).toBeGreaterThan(0.8);
    expect(summary.clusters.map((c) => c.size)).toEqual([12, 12]);
  });

  it('should cluster with a fixed k the same way twice (seeded)', async () => {
    const first = e2v(['cluster', join(data, 'calm'), join(data, 'anxious'), '--k', '3', '--seed', '7', '--out', join(data, 'k3a')]);
    const second = e2v(['cluster', join(data, 'calm'), join(data, 'anxious'), '--k', '3', '--seed', '7', '--out', join(data, 'k3b')]);
    expect(first.status).toBe(0);
    expect(await readFile(join(data, 'k3a', 'assignments.csv'), 'utf8')).toBe(await readFile(join(data, 'k3b', 'assignments.csv'), 'utf8'));
  });
});

describe('e2v classifier train, then the classifier, sink and example plugins in e2v analyze', () => {
  it('should learn the known answer and report accuracy and a confusion matrix', async () => {
    for (const type of ['logreg', 'knn']) {
      const run = e2v(['classifier', 'train', '--data', data, '--type', type, '--out', join(data, `${type}.json`), '--folds', '4', '--seed', '1']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('4-fold cross-validated accuracy: 100.0%');
      expect(run.stdout).toMatch(/true \\ predicted +anxious +calm\nanxious +12 +0\ncalm +0 +12/);
    }
    expect(e2v(['classifier', 'train', '--data', join(data, 'missing'), '--type', 'logreg', '--out', join(data, 'x.json')]).status).toBe(1);
  });

  it('should run the trained classifier, a sink and the example plugin package on every result', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'e2v-plugins-cli-'));
    // Train on embeddings of real audio: two golden files as two labels.
    const emb = join(cwd, 'train');
    for (const [label, file] of [
      ['speech', SPEECH],
      ['noise', OTHER],
    ] as const) {
      const out = join(cwd, `emb-${label}`);
      expect(e2v(['analyze', file, '--embedding', '--out', out, '--model', testModelDir('tiny-a')]).status).toBe(0);
      const record = JSON.parse(await readFile(join(out, 'results.jsonl'), 'utf8')) as { embedding_npy: string };
      await mkdir(join(emb, label), { recursive: true });
      await writeFile(join(emb, label, 'a.npy'), await readFile(record.embedding_npy));
      await writeFile(join(emb, label, 'b.npy'), await readFile(record.embedding_npy));
    }
    expect(e2v(['classifier', 'train', '--data', emb, '--type', 'knn', '--k', '1', '--folds', '0', '--out', join(cwd, 'clf.json')]).status).toBe(0);
    await writeFile(
      join(cwd, 'e2v.config.json'),
      JSON.stringify({
        plugins: [
          [EXAMPLE_PLUGIN, { threshold: 0.99, tag: 'review' }],
          ['sink', { jsonl: 'sink/results.jsonl' }],
        ],
      }),
    );
    const classifier = `classifier=${JSON.stringify({ model: 'clf.json' })}`;
    const run = e2v(
      ['analyze', SPEECH, OTHER, '--embedding', '--json', '--out', 'out', '--save-outputs', '--model', testModelDir('tiny-a'), '--plugin', classifier],
      cwd,
    );
    expect(run.status, run.stderr).toBe(0);
    const results = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; plugins: Record<string, any> });
    expect(results.find((r) => r.file === SPEECH)!.plugins.classifier.label).toBe('speech');
    expect(results.find((r) => r.file === OTHER)!.plugins.classifier.label).toBe('noise');
    for (const r of results) expect(r.plugins['low-confidence']).toMatchObject({ low: true, threshold: 0.99, tag: 'review' });
    // each outputs folder's result.json, written after the plugins, holds their outputs
    const records = (await readFile(join(cwd, 'out', 'results.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; output_dir: string });
    for (const record of records) {
      const saved = JSON.parse(await readFile(resolve(cwd, record.output_dir, 'result.json'), 'utf8')) as { plugins: unknown };
      expect(saved.plugins).toEqual(results.find((r) => r.file === record.file)!.plugins);
    }
    // Relative sink paths resolve from the config file's folder.
    const sunk = (await readFile(join(cwd, 'sink', 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(sunk).toHaveLength(2);
  });

  it('should stop at start-up with one line for a bad plugin configuration', async () => {
    const run = e2v(['analyze', SPEECH, '--model', testModelDir('tiny-a'), '--plugin', 'no-such-plugin-anywhere']);
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^e2v: .*no-such-plugin-anywhere/);
  });
});
