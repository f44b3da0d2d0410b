/**
 * One file of an `e2v analyze` batch: read and hash it, skip it when its path already has a
 * result for this content and these options, reuse the result of another path with the same
 * content, or analyze it (with plugins); then record the outcome and count it. A failure of the
 * file is recorded under a catalogued code; a failure to write the `--out` folder (an
 * OutputError) or a queue whose Redis is gone too long is thrown, leaving the file without a
 * record (a `--resume` run does it again).
 * @module
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Granularity } from '@e2v/core';
import type { Analysis } from '@e2v/engine';
import { analyzeWithPlugins, type PluginHost } from '@e2v/plugins';
import type { CliIo } from '../../io.js';
import type { Analyst, AnalystInput } from './analyst.js';
import type { BatchCounts, BatchProgress } from './batch-progress.js';
import type { BatchStore, StoreLookup } from './batch-store.js';
import { outputsWriteError, stopsBatch, toFailure } from './failure.js';
import type { BatchSummary } from './summary.js';

/** The analysis options of a batch. */
export interface FileAnalyzerOptions {
  granularity: Granularity;
  /** Frame granularity: seconds of the window that smooths frame scores (`--window`; 0 = raw). */
  windowS: number;
  embedding: boolean;
  /** Write an outputs folder per file (needs a store). */
  saveOutputs: boolean;
  /** Print each new record's Result on stdout. */
  json: boolean;
}

/** What a {@link FileAnalyzer} works with. */
export interface FileAnalyzerContext {
  analyst: Analyst;
  plugins: PluginHost | undefined;
  /** The `--out` folder, or null for none. */
  store: BatchStore | null;
  options: FileAnalyzerOptions;
  io: CliIo;
  progress: BatchProgress;
  /** Files in the batch. */
  total: number;
}

/** Analyzes the files of a batch, one call per file (calls may overlap), and counts them. */
export class FileAnalyzer {
  /** Progress counts (a reused file counts as skipped: it took no analysis). */
  readonly counts: BatchCounts;
  private readonly tally: Omit<BatchSummary, 'notDone' | 'elapsedS' | 'plugins'>;
  private readonly started = performance.now();

  /** @param context engine, plugins, store, options and where to report */
  constructor(private readonly context: FileAnalyzerContext) {
    this.counts = { done: 0, failed: 0, skipped: 0, total: context.total, audioSeconds: 0 };
    this.tally = { total: context.total, analyzed: 0, failed: [], skipped: 0, reused: 0, audioSeconds: 0, emotions: new Map() };
  }

  /**
   * Analyzes and records one file; its own failures are recorded, not thrown.
   * @throws OutputError when the `--out` folder cannot be written
   * @throws QueueError `E2V_ERR_QUEUE_UNAVAILABLE` when the queue's Redis is gone for too long
   */
  async analyze(file: string): Promise<void> {
    const { store, options, io, progress } = this.context;
    let sha256: string | null = null;
    try {
      const bytes = await readFile(file);
      sha256 = createHash('sha256').update(bytes).digest('hex');
      const { name, variant } = this.context.analyst.model;
      const granularity = options.granularity === 'frame' ? `frame@${options.windowS}s` : options.granularity;
      const key = `${sha256}:${granularity}:${options.embedding ? 'embedding' : 'scores'}:${name}:${variant}`;
      const found: StoreLookup | null = store === null ? null : await store.lookup(file, key);
      if (found?.kind === 'done') {
        this.counts.skipped += 1;
        this.tally.skipped += 1;
        return;
      }
      if (store !== null && found?.kind === 'same-content') {
        await store.addResult({ ...found.record, file });
        if (options.json) io.stdout(`${JSON.stringify({ file, ...found.record.result })}\n`);
        this.counts.skipped += 1;
        this.tally.reused += 1;
        return;
      }
      const analysis = await this.run({ file, bytes, sha256 }, key);
      const embeddingPath = analysis.embeddingFile;
      await store?.addResult({
        file,
        sha256,
        key,
        result: analysis.result,
        output_dir: analysis.outputDir,
        ...(embeddingPath === null ? {} : { embedding_npy: embeddingPath }),
      });
      if (options.json) io.stdout(`${JSON.stringify({ file, ...analysis.result })}\n`);
      const seconds = analysis.result.audio.duration_s;
      this.counts.done += 1;
      this.counts.audioSeconds += seconds;
      this.tally.analyzed += 1;
      this.tally.audioSeconds += seconds;
      this.tally.emotions.set(analysis.result.emotion, (this.tally.emotions.get(analysis.result.emotion) ?? 0) + 1);
    } catch (error) {
      if (stopsBatch(error)) throw error;
      const failure = toFailure(error, file);
      await store?.addError({ file, sha256, error: failure });
      this.counts.failed += 1;
      this.tally.failed.push({ file, ...failure });
      progress.note(`failed: ${file}: ${failure.code}: ${failure.message}`);
    } finally {
      progress.update(this.counts);
    }
  }

  /** The summary so far (without the plugins' reports); files without a record are "not done". */
  summary(): Omit<BatchSummary, 'plugins'> {
    const t = this.tally;
    const notDone = t.total - t.analyzed - t.failed.length - t.skipped - t.reused;
    return { ...t, failed: [...t.failed], emotions: new Map(t.emotions), notDone, elapsedS: (performance.now() - this.started) / 1000 };
  }

  /**
   * The analyst, then the plugins, then the outputs folder and the embedding file under `--out`
   * (written once, result.json with the plugins' outputs); a failure to write them turned into an
   * OutputError.
   */
  private async run(input: AnalystInput, key: string): Promise<Analysis> {
    const { analyst, plugins, store, options } = this.context;
    const { file, sha256 } = input;
    const outputDir = options.saveOutputs && store !== null ? store.outputsDir : undefined;
    const embeddingFile = options.embedding && store !== null ? await store.embeddingPath(sha256) : undefined;
    const run = () =>
      analyst.analyze(input, {
        granularity: options.granularity,
        windowS: options.windowS,
        embedding: options.embedding,
        ...(outputDir === undefined ? {} : { outputDir }),
        ...(embeddingFile === undefined ? {} : { embeddingFile }),
      });
    try {
      return await analyzeWithPlugins(
        plugins,
        { id: key, input: { name: file }, options: { granularity: options.granularity, embedding: options.embedding } },
        run,
      );
    } catch (error) {
      const target = outputDir ?? (embeddingFile === undefined ? undefined : dirname(embeddingFile));
      throw (target === undefined ? null : outputsWriteError(error, target)) ?? error;
    }
  }
}
