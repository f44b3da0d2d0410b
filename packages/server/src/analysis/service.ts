/**
 * One analysis as every API runs it: through the server's queue, into the engine, optionally
 * into an outputs folder, with metrics and the processing log. The Gradio routes, the REST API
 * and the web UI all call {@link AnalysisService.analyze}.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Granularity, Result } from '@e2v/core';
import { OUTPUT_FILES, type Analysis, type Embedding } from '@e2v/engine';
import { analyzeWithPlugins, type PluginHost } from '@e2v/plugins';
import { toHttpError } from '../errors.js';
import type { ServerMetrics } from '../metrics.js';
import type { FileStore } from '../storage/file-store.js';
import { requireEngine, type ModelStatus } from './model-state.js';
import { analysisNotices, type AnalysisNotice } from './notices.js';
import { processingLog } from './processing-log.js';
import type { AnalysisQueue, QueueCallbacks, Reservation } from './queue.js';
import { SpectrogramBuilder, type Spectrogram } from './spectrogram.js';
import { embeddingNotInline, outputsNotSaved, type AnalysisWarning } from './warnings.js';

/** What to analyze and how. */
export interface AnalysisRequest {
  /** A file the server owns (already checked), and the name plugins see (default: its base name). */
  audio: { path: string; name?: string };
  granularity: Granularity;
  embedding: boolean;
  /**
   * Return the embedding in the outcome (default true). False leaves it only in the outputs
   * folder's embedding.npy (the folder is then written): a frame embedding is never held in memory.
   */
  inlineEmbedding?: boolean;
  /** Frame granularity: the engine's `windowS` (default 1.0 s; 0 = raw per-frame scores). */
  windowS?: number;
  /**
   * Write an outputs folder (result.json, embedding.npy, processed_audio.wav). A frame embedding
   * is always written to one: it may be too large to return inline.
   */
  save: boolean;
  /** Also compute the log-mel spectrogram (web UI). */
  spectrogram?: boolean;
  /** Cancels the analysis (client gone). */
  signal?: AbortSignal;
  /** Queue progress (Gradio's estimation / process_starts). */
  progress?: QueueCallbacks;
  /** A queue place held since the request was accepted (Gradio joins). */
  reservation?: Reservation;
}

/** The paths of the files of a saved analysis. */
export interface SavedFiles {
  folder: string;
  resultJson: string;
  embeddingNpy: string | null;
  processedAudio: string;
}

/** What an analysis gives every API. */
export interface AnalysisOutcome {
  result: Result;
  embedding: Embedding | null;
  files: SavedFiles | null;
  log: string[];
  spectrogram: Spectrogram | null;
  /** Advice about the input (a clip under 1 s, audio analysed in segments). */
  notices: AnalysisNotice[];
  /** What went wrong around a kept result: the audio's warnings (a cut file), the outputs folder not written. */
  warnings: AnalysisWarning[];
}

/** Runs analyses for all APIs. */
export class AnalysisService {
  /**
   * @param model the loaded model (or why none)
   * @param queue the server's queue
   * @param store the server's folders
   * @param metrics where counts and timings go
   * @param plugins the plugin host every analysis runs through, if any
   * @param maxInlineEmbeddingMB largest frame embedding kept in memory and returned inline
   */
  constructor(
    private readonly model: ModelStatus,
    private readonly queue: AnalysisQueue,
    private readonly store: FileStore,
    private readonly metrics: ServerMetrics,
    private readonly plugins: PluginHost | undefined,
    private readonly maxInlineEmbeddingMB: number,
  ) {}

  /**
   * Analyzes one input.
   * @throws HttpError for every failure (503 no model, 429 queue full, 400/413/415 bad audio, ...)
   */
  async analyze(request: AnalysisRequest): Promise<AnalysisOutcome> {
    try {
      const engine = requireEngine(this.model);
      const input = request.audio.path;
      const inline = request.inlineEmbedding !== false;
      // a frame embedding may be too large to return inline, and one not returned needs a file
      const save = request.save || (request.embedding && (request.granularity === 'frame' || !inline));
      const spectrogram = request.spectrogram === true ? new SpectrogramBuilder() : undefined;
      const run = (): Promise<Analysis> =>
        engine.analyze(input, {
          granularity: request.granularity,
          embedding: request.embedding,
          outputDir: save ? this.store.folders.outputsDir : undefined,
          outputFailure: 'report',
          maxInlineEmbeddingMB: inline ? this.maxInlineEmbeddingMB : 0,
          ...(request.windowS === undefined ? {} : { windowS: request.windowS }),
          ...(spectrogram === undefined ? {} : { onAudio: (samples: Float32Array) => spectrogram.push(samples) }),
          signal: request.signal,
        });
      const name = request.audio.name ?? basename(input);
      const plugins = this.plugins;
      // only the engine's work holds a queue slot: plugin hooks run outside it, so a slow plugin
      // delays its own result, never the analyses waiting behind it
      const queued = (): Promise<Analysis> => this.queue.submit(run, request.progress, request.signal, request.reservation);
      const analysis =
        plugins === undefined
          ? await queued()
          : await analyzeWithPlugins(plugins, { id: randomUUID(), input: { name }, options: { granularity: request.granularity, embedding: request.embedding } }, queued);
      const { result, outputDir } = analysis;
      if (save) this.store.health.record('outputs', analysis.outputError);
      const warnings: AnalysisWarning[] = [...result.audio.warnings];
      if (analysis.outputError !== undefined) warnings.push(outputsNotSaved(analysis.outputError));
      if (request.embedding && inline && analysis.embedding === null) warnings.push(embeddingNotInline(this.maxInlineEmbeddingMB));
      const files =
        outputDir === null
          ? null
          : {
              folder: outputDir,
              resultJson: join(outputDir, OUTPUT_FILES.result),
              embeddingNpy: request.embedding ? join(outputDir, OUTPUT_FILES.embedding) : null,
              processedAudio: join(outputDir, OUTPUT_FILES.audio),
            };
      this.metrics.recordAnalysis(result, 'ok');
      return {
        result,
        embedding: inline ? analysis.embedding : null,
        files,
        log: processingLog(result, outputDir, warnings),
        spectrogram: spectrogram?.finish() ?? null,
        notices: analysisNotices(result),
        warnings,
      };
    } catch (error) {
      const http = toHttpError(error);
      this.metrics.recordFailure(http.code);
      throw http;
    } finally {
      request.reservation?.release(); // a veto (or any failure before the queue) must not keep the place
    }
  }
}
