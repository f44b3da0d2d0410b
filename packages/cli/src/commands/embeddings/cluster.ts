/**
 * `e2v cluster INPUTS --k N|auto`: k-means++ (seeded) on utterance embeddings of audio files
 * and/or `.npy` files, or k chosen by the mean silhouette over `--k-range`; writes
 * `assignments.csv` (file, cluster, cosine to the cluster centre, top emotion) and
 * `clusters.json` (k, silhouette, per cluster: size, the files nearest its centre, the mean
 * emotion scores of its audio) into `--out`, and prints a summary — the "find the
 * anxious-customer group" tool.
 * @module
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Engine } from '@e2v/engine';
import { chooseK, cosineSimilarity, csvLine, kmeans, silhouette, writeFileAtomic, type KMeansResult } from '@e2v/core';
import { EXIT, UsageError } from '../../errors.js';
import type { CliIo } from '../../io.js';
import { AUDIO_EXTENSIONS, expandInputs } from '../analyze/inputs.js';
import { numberFlag } from '../flags.js';
import { modelFolder } from '../model-folder.js';
import { modelsDir as resolveModelsDir } from '../model.js';
import { embedInputs, type EmbeddedInput } from './embedding-source.js';

/** Files nearest each centre listed in clusters.json. */
const NEAREST = 5;

/** One cluster in clusters.json. */
export interface ClusterSummary {
  cluster: number;
  size: number;
  /** The files closest to the centre (cosine), best first. */
  nearest: { file: string; cosine: number }[];
  /** Mean scores of the cluster's audio inputs (null when all were .npy). */
  mean_scores: Record<string, number> | null;
  /** Most frequent top emotion among its audio inputs. */
  top_emotion: string | null;
}

function parseK(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const k = Number(value);
  if (!Number.isInteger(k) || k < 1) throw new UsageError(`--k must be a positive integer or auto, not '${value}'`);
  return k;
}

function parseRange(value: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(value);
  if (match === null || Number(match[1]) < 2 || Number(match[1]) > Number(match[2])) throw new UsageError(`--k-range must look like 2-8, not '${value}'`);
  return [Number(match[1]), Number(match[2])];
}

/** Summaries of the clusters of a clustering. */
export function summarize(inputs: readonly EmbeddedInput[], clustering: KMeansResult): ClusterSummary[] {
  return clustering.centroids.map((centroid, cluster) => {
    const members = inputs.filter((_, i) => clustering.assignments[i] === cluster);
    const nearest = members
      .map((m) => ({ file: m.file, cosine: cosineSimilarity(m.vector, centroid) }))
      .sort((a, b) => b.cosine - a.cosine)
      .slice(0, NEAREST);
    const results = members.map((m) => m.result).filter((r) => r !== null);
    let meanScores: Record<string, number> | null = null;
    let topEmotion: string | null = null;
    if (results.length > 0) {
      meanScores = {};
      const counts = new Map<string, number>();
      for (const r of results) {
        for (const [label, score] of Object.entries(r.scores)) meanScores[label] = (meanScores[label] ?? 0) + score / results.length;
        counts.set(r.emotion, (counts.get(r.emotion) ?? 0) + 1);
      }
      topEmotion = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    }
    return { cluster, size: members.length, nearest, mean_scores: meanScores, top_emotion: topEmotion };
  });
}

/**
 * Runs `e2v cluster`.
 * @returns 0, or 1 when an input cannot be read or analyzed
 */
export async function runCluster(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      k: { type: 'string', default: 'auto' },
      'k-range': { type: 'string', default: '2-8' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string' },
      model: { type: 'string' },
      'models-dir': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('e2v cluster needs inputs: audio files, .npy embeddings, folders or globs');
  if (values.out === undefined) throw new UsageError('e2v cluster needs --out DIR');
  const k = parseK(values.k);
  const range = parseRange(values['k-range']);
  const seed = numberFlag(values.seed, '--seed', Number.isInteger, 'an integer')!;
  const files = await expandInputs(positionals, [...AUDIO_EXTENSIONS, '.npy']);
  const needed = k === 'auto' ? 3 : k;
  if (files.length < needed) throw new UsageError(`${files.length} inputs are too few for ${k === 'auto' ? 'choosing k' : `k = ${k}`}`);
  const model = modelFolder(values.model, resolveModelsDir(values['models-dir']));
  const { inputs, close } = await embedInputs(files, () => Engine.load(model.dir));
  await close();
  const dims = new Set(inputs.map((i) => i.vector.length));
  if (dims.size > 1) throw new UsageError(`the embeddings differ in size (${[...dims].join(', ')}): cluster embeddings of one model`);
  const points = inputs.map((i) => i.vector);
  let clustering: KMeansResult;
  let scores: { k: number; silhouette: number }[] = [];
  if (k === 'auto') {
    const chosen = chooseK(points, range, seed);
    clustering = chosen.clustering;
    scores = chosen.scores;
  } else {
    clustering = kmeans({ points, k, seed });
  }
  const chosenK = clustering.centroids.length;
  const quality = chosenK > 1 ? silhouette(points, clustering.assignments) : 0;
  const clusters = summarize(inputs, clustering);
  await mkdir(values.out, { recursive: true });
  const rows = inputs.map((input, i) => {
    const cluster = clustering.assignments[i]!;
    return csvLine([input.file, cluster, cosineSimilarity(input.vector, clustering.centroids[cluster]!).toFixed(6), input.result?.emotion ?? '']);
  });
  await writeFileAtomic(join(values.out, 'assignments.csv'), `file,cluster,cosine_to_centre,emotion\n${rows.join('\n')}\n`);
  await writeFileAtomic(
    join(values.out, 'clusters.json'),
    `${JSON.stringify({ k: chosenK, seed, silhouette: quality, k_scores: scores, clusters }, null, 2)}\n`,
  );
  io.stdout(
    `k = ${chosenK}${k === 'auto' ? ` (best mean silhouette over ${range[0]}-${range[1]})` : ''}, silhouette ${quality.toFixed(3)}, ${inputs.length} inputs\n`,
  );
  for (const c of clusters)
    io.stdout(
      `  cluster ${c.cluster}: ${c.size} inputs${c.top_emotion === null ? '' : `, mostly ${c.top_emotion}`}; nearest the centre: ${c.nearest[0]?.file ?? '-'}\n`,
    );
  io.stdout(`wrote ${join(values.out, 'assignments.csv')} and ${join(values.out, 'clusters.json')}\n`);
  return EXIT.ok;
}
