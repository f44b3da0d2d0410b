/**
 * What analyzes the files of an `e2v analyze` batch: the local engine, or with `--redis` the
 * workers of a queue. Both give the engine's StagedAnalysis, so the batch commits and records
 * them the same way.
 * @module
 */
import type { Granularity } from '@e2v/core';
import type { StagedAnalysis } from '@e2v/engine';

/** One file to analyze. */
export interface AnalystInput {
  file: string;
  bytes: Uint8Array;
  /** sha256 of `bytes` (hex). */
  sha256: string;
}

/** What to compute and where to write it. */
export interface AnalystOptions {
  granularity: Granularity;
  windowS: number;
  embedding: boolean;
  /** Write an outputs folder under this folder. */
  outputDir?: string;
  /** Write the embedding to this .npy path. */
  embeddingFile?: string;
}

/** Analyzes the files of a batch. */
export interface Analyst {
  /** The model's name and the variant that runs (part of each record's `--resume` key). */
  readonly model: { name: string; variant: string };
  /** The label keys in logits order (the CSV columns). */
  readonly labels: readonly string[];
  /**
   * Analyzes one file, its files staged until `commit` (after the plugins); its failures are
   * thrown with their codes.
   */
  analyze(input: AnalystInput, options: AnalystOptions): Promise<StagedAnalysis>;
  /** Releases the engine or the connections. */
  close(): Promise<void>;
}
