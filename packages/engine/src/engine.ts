/**
 * `Engine`: audio in, design.md `Result` out, on onnxruntime-node.
 *
 * Pipeline of one analysis, streamed: read -> decode, mean of channels and torchaudio-compatible
 * resampling to 16 kHz (a worker thread, chunk by chunk) -> segments of at most `maxSegmentS`,
 * cut at quiet points as soon as each is decided (segment-feed.ts) -> per segment:
 * whole-utterance layer norm (model.json `normalize`) -> the graph (one ORT session per engine,
 * on its own thread) -> folded into the Result (segment-results.ts) and appended to the files
 * being written (analysis-outputs.ts) -> the Result, with the files staged; they are committed
 * (result.json, the renames) once the caller has the final Result: at once by `analyze`, after the
 * plugins by `analyzeStaged`'s caller. Memory is bounded by the segment, not the input: the
 * decoder runs at most two chunks ahead, and a long frame embedding goes to files only.
 *
 * Concurrency: at most `queueDepth` analyses at once (more: `QueueFullError`); model runs go
 * through one first-in first-out queue per session, a segment at a time, so a short input
 * waits for at most one segment of a long one. Inputs are never batched: emotion2vec's outputs
 * change with padding, and on CPU a batch of equal-length inputs is not faster than running
 * them one after the other with all intra-op threads.
 * @module
 */
import type { ModelLabel, ModelVariant, Result } from '@e2v/core';
import { readFile } from 'node:fs/promises';
import { AnalysisOutputs } from './analysis-outputs.js';
import { streamAudio16k } from './decode-audio.js';
import { AbortedError, InferenceError, InputError, QueueFullError } from './errors.js';
import {
  resolveAnalyzeOptions,
  resolveEngineOptions,
  type AnalyzeOptions,
  type EngineOptions,
  type ResolvedAnalyzeOptions,
  type ResolvedEngineOptions,
} from './engine-options.js';
import type { FloatTensor } from './infer/ort-protocol.js';
import { MODEL_SAMPLE_RATE } from './load-audio.js';
import type { Logger } from './logger.js';
import { loadModel, type LoadedModel } from './model/load-model.js';
import { firstNonFinite, layerNormUtterance } from './preprocess.js';
import { SegmentPlanner, type Segment } from './segment.js';
import { SegmentFeed } from './segment-feed.js';
import { SegmentResults, type SegmentOutput } from './segment-results.js';

/** What `analyze` accepts: file bytes (any format the decoder reads), 16 kHz mono samples, or a file path. */
export type AnalyzeInput = Uint8Array | Float32Array | string;

/** An embedding and its shape: `[D]` (utterance) or `[T', D]` (frame). */
export interface Embedding {
  data: Float32Array;
  shape: [number] | [number, number];
}

/** What `analyze` returns. */
export interface Analysis {
  /** The design.md Result (what result.json holds). */
  result: Result;
  /**
   * The embedding when `embedding: true` was asked, else null; also null for a frame embedding
   * larger than `maxInlineEmbeddingMB`, which is then only in the files.
   */
  embedding: Embedding | null;
  /** The embedding file written, when `embeddingFile` was given, else null. */
  embeddingFile: string | null;
  /** The outputs folder written, when `outputDir` was given, else null. */
  outputDir: string | null;
  /**
   * Why the outputs folder was not written (`E2V_ERR_OUTPUT_WRITE`), when `outputFailure: 'report'`
   * was asked and the write failed; absent otherwise.
   */
  outputError?: InferenceError;
}

/**
 * An analysis whose files are staged: the audio and a frame embedding are written under temporary
 * names, and {@link StagedAnalysis.commit} writes result.json and the embedding and gives every
 * file its final name (design.md, "Outputs folders": whole or absent). Call `commit` or `discard`
 * exactly once.
 */
export interface StagedAnalysis {
  /** The design.md Result, as the engine made it. */
  result: Result;
  /** As {@link Analysis.embedding}. */
  embedding: Embedding | null;
  /**
   * [async] Writes the files and renames them to their final names.
   * @param result what result.json holds: {@link result}, or a copy with more fields (the plugins' outputs)
   * @returns the Analysis, with `result` and where the files went
   * @throws InferenceError `E2V_ERR_OUTPUT_WRITE` (the outputs folder under `outputFailure: 'throw'`, or
   *   the embedding file); nothing is left behind
   * @throws TypeError when called after `commit` or `discard`
   */
  commit<R extends Result>(result: R): Promise<Analysis & { result: R }>;
  /** [async] Removes the staged files (the analysis is given up). Never throws; does nothing after `commit`. */
  discard(): Promise<void>;
}

/** Facts about the loaded model. */
export interface EngineInfo {
  /** Model name from model.json. */
  name: string;
  variant: ModelVariant;
  /** Why that variant runs: `requested`, or the `auto` choice for this CPU. */
  variantReason: string;
  /** Absolute model folder. */
  modelDir: string;
  labels: readonly ModelLabel[];
  embeddingDim: number;
  /** Frames per second. */
  frameRate: number;
  /** ORT intra-op threads. */
  threads: number;
  /** True for a random (synthetic) model. */
  random: boolean;
  /** Time `Engine.load` took, and the ORT session creation within it. */
  loadMs: { total: number; session: number };
}

/** Raises AbortedError when `signal` has fired. */
function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}

/** `promise`, or an AbortedError as soon as `signal` fires (the work itself is not stopped). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError(signal.reason));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/** Where the audio of an analysis came from, and the time spent getting it. */
interface AudioSource {
  audio: Result['audio'];
  timings: { decode: number; resample: number };
}

/** The emotion2vec+ inference engine. Create with {@link Engine.load}; end with {@link Engine.close}. */
export class Engine {
  private inFlight = 0;
  private closed = false;
  private readonly log: Logger;

  private constructor(
    private readonly model: LoadedModel,
    private readonly options: ResolvedEngineOptions,
  ) {
    this.log = options.logger.child({ model: model.manifest.name, variant: model.variant });
  }

  /**
   * [async] Loads a converted model folder (model.json + ONNX graph + weights) and opens an ONNX
   * Runtime session for one variant on its own thread. Session settings: sequential execution,
   * memory patterns off (much lower peak memory on long inputs at no speed cost), graph
   * optimization level `all`, `threads` intra-op threads, weight pre-packing on unless
   * `prepackWeights: false` (see {@link EngineOptions.prepackWeights}).
   * @param modelDir the model folder
   * @param options see {@link EngineOptions}
   * @throws ModelLoadError `E2V_ERR_MODEL_NOT_FOUND` (folder, model.json or a graph file missing),
   *   `E2V_ERR_MODEL_MANIFEST`, `E2V_ERR_MODEL_VARIANT`, `E2V_ERR_MODEL_SESSION` (ORT cannot open the
   *   graph), `E2V_ERR_MODEL_GRAPH_IO` (inputs / outputs not as the contract), `E2V_ERR_MODEL_LABELS`
   *   (label count differs from the graph), `E2V_ERR_MODEL_OUTDATED` (converted by an older e2v:
   *   the graph has no `frame_logits`; the message says how to convert it again)
   * @throws TypeError / RangeError for bad options, naming the option
   * @example
   * const engine = await Engine.load('models/emotion2vec_plus_large', { variant: 'int8', threads: 2 });
   * const { result } = await engine.analyze(await readFile('call.wav'), { granularity: 'frame' });
   * await engine.close();
   */
  static async load(modelDir: string, options?: EngineOptions): Promise<Engine> {
    if (typeof modelDir !== 'string' || modelDir === '') {
      throw new TypeError(`Expected a folder path for modelDir but received ${modelDir === '' ? 'an empty string' : typeof modelDir}`);
    }
    const resolved = resolveEngineOptions(options);
    const model = await loadModel(
      modelDir,
      resolved.variant,
      {
        intraOpNumThreads: resolved.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        enableMemPattern: false,
        enableCpuMemArena: resolved.memoryArena,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        prepackWeights: resolved.prepackWeights,
      },
      resolved.logger,
    );
    return new Engine(model, resolved);
  }

  /** Facts about the loaded model. */
  get info(): EngineInfo {
    const { manifest } = this.model;
    return {
      name: manifest.name,
      variant: this.model.variant,
      variantReason: this.model.variantReason,
      modelDir: this.model.dir,
      labels: manifest.labels.map((l) => ({ ...l })),
      embeddingDim: manifest.embeddingDim,
      frameRate: manifest.frameRate,
      threads: this.options.threads,
      random: manifest.random === true,
      loadMs: { ...this.model.timingsMs },
    };
  }

  /** Analyses accepted and not finished (counted against `queueDepth`). */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * [async] Analyzes one input.
   * @param input file bytes (WAV, MP3, M4A/AAC, FLAC, Ogg, WebM, ...), a Float32Array of 16 kHz
   *   mono samples (not modified), or the path of a file
   * @param options granularity, embedding, outputs folder, AbortSignal, frame window
   * @returns the Result, the embedding when asked, and the outputs folder when written
   * @throws QueueFullError when `queueDepth` analyses are already in the engine (nothing was done)
   * @throws AbortedError when `options.signal` fires first
   * @throws AudioDecodeError for undecodable bytes (codes `E2V_ERR_AUDIO_*`, incl. `E2V_ERR_AUDIO_TOO_LONG`)
   * @throws InputError `E2V_ERR_INPUT_TOO_SHORT` (below model.json `minInputSamples`, 400 at
   *   16 kHz), `E2V_ERR_INPUT_TOO_LONG`, `E2V_ERR_INPUT_NOT_FINITE`, `E2V_ERR_INPUT_READ`
   * @throws InferenceError `E2V_ERR_INFER_FAILED`, `E2V_ERR_INFER_CRASHED`, `E2V_ERR_ENGINE_CLOSED`,
   *   `E2V_ERR_OUTPUT_WRITE` (unless `outputFailure: 'report'`, which returns it as `outputError`)
   * @throws TypeError / RangeError for a bad input type or bad options
   */
  async analyze(input: AnalyzeInput, options?: AnalyzeOptions): Promise<Analysis> {
    const staged = await this.analyzeStaged(input, options);
    return staged.commit(staged.result);
  }

  /**
   * [async] Analyzes one input like {@link analyze}, but leaves the files staged: the caller
   * commits them with the final Result (e.g. after plugins added their outputs), so result.json
   * is written once. Counted against `queueDepth` until the Result is made, not while staged.
   * @param input as for {@link analyze}
   * @param options as for {@link analyze}
   * @returns the Result and embedding, and the staged files' commit / discard
   * @throws as {@link analyze}, except `E2V_ERR_OUTPUT_WRITE` at the end (then from `commit`)
   */
  async analyzeStaged(input: AnalyzeInput, options?: AnalyzeOptions): Promise<StagedAnalysis> {
    const started = performance.now();
    const opts = resolveAnalyzeOptions(options);
    if (typeof input !== 'string' && !(input instanceof Uint8Array) && !(input instanceof Float32Array)) {
      throw new TypeError(`Expected a Uint8Array, Float32Array or path string for input but received ${input === null ? 'null' : typeof input}`);
    }
    if (this.closed) throw new InferenceError('E2V_ERR_ENGINE_CLOSED', 'The engine is closed');
    throwIfAborted(opts.signal);
    if (this.inFlight >= this.options.queueDepth) throw new QueueFullError(this.options.queueDepth);
    this.inFlight += 1;
    try {
      return await this.run(input, opts, started);
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * [async] Closes the engine: new analyses fail with `E2V_ERR_ENGINE_CLOSED`, analyses waiting
   * for the model too; the one running finishes; then the ORT session is released and its
   * thread ends. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.model.session.close();
    this.log.info({}, 'engine closed');
  }

  /**
   * Feeds the input's 16 kHz samples into `feed`: a Float32Array at once, file bytes (or a
   * file's) streamed from the decoder.
   */
  private async feedInput(input: AnalyzeInput, feed: SegmentFeed, signal: AbortSignal | undefined): Promise<AudioSource> {
    if (input instanceof Float32Array) {
      const bad = firstNonFinite(input);
      if (bad >= 0) throw new InputError('E2V_ERR_INPUT_NOT_FINITE', `Sample ${bad} of the input is ${input[bad]}; samples must be finite`);
      const durationS = input.length / MODEL_SAMPLE_RATE;
      if (durationS > this.options.maxDurationS) {
        throw new InputError('E2V_ERR_INPUT_TOO_LONG', `The audio is ${durationS.toFixed(1)} s long, more than the limit of ${this.options.maxDurationS} s`);
      }
      await feed.push(input);
      return {
        audio: { duration_s: durationS, sample_rate: MODEL_SAMPLE_RATE, channels: 1, format: 'pcm_f32', warnings: [] },
        timings: { decode: 0, resample: 0 },
      };
    }
    let bytes: Uint8Array;
    if (typeof input === 'string') {
      try {
        bytes = await abortable(readFile(input), signal);
      } catch (cause) {
        if (cause instanceof AbortedError) throw cause;
        throw new InputError('E2V_ERR_INPUT_READ', `Cannot read ${input}: ${(cause as Error).message}`, { cause });
      }
    } else {
      bytes = input;
    }
    const { maxBytes, timeoutMs } = this.options.decode;
    const streamed = await streamAudio16k(bytes, { maxBytes, timeoutMs, maxDurationS: this.options.maxDurationS }, (chunk) => feed.push(chunk));
    const { source } = streamed;
    return {
      audio: {
        duration_s: source.frames / source.sampleRate,
        sample_rate: source.sampleRate,
        channels: source.channels,
        format: streamed.format,
        warnings: streamed.warnings,
      },
      timings: { decode: streamed.decodeMs, resample: streamed.resampleMs },
    };
  }

  private async runSegment(
    samples: Float32Array,
    segment: Segment,
    keepFrameLogits: boolean,
    keepFrames: boolean,
    signal: AbortSignal | undefined,
  ): Promise<{ out: SegmentOutput; ms: number }> {
    const { manifest, session } = this.model;
    const waveform = manifest.normalize ? layerNormUtterance(samples, manifest.normalizeEps) : samples.slice();
    const { outputs, ms } = await session.run(waveform, signal);
    const D = manifest.embeddingDim;
    const C = manifest.labels.length;
    const get = (name: string, dims: (number | undefined)[]): FloatTensor => {
      const t = outputs[name];
      const ok = t !== undefined && t.dims.length === dims.length && dims.every((d, i) => d === undefined || t.dims[i] === d);
      if (!ok) {
        throw new InferenceError(
          'E2V_ERR_INFER_FAILED',
          `The graph returned ${name} with dims [${t?.dims.join(', ') ?? ''}], expected [${dims.map((d) => d ?? 'T').join(', ')}]`,
        );
      }
      return t;
    };
    const frames = get('frames', [1, undefined, D]);
    const T = frames.dims[1]!;
    if (T < 1) throw new InferenceError('E2V_ERR_INFER_FAILED', `The graph returned no frame for ${samples.length} samples`);
    const out: SegmentOutput = {
      segment,
      logits: get('logits', [1, C]).data,
      embedding: get('embedding', [1, D]).data,
      frames: T,
      frameLogits: keepFrameLogits ? get('frame_logits', [1, T, C]).data : undefined,
      frameFeatures: keepFrames ? frames.data : undefined,
    };
    return { out, ms };
  }

  private async run(input: AnalyzeInput, opts: ResolvedAnalyzeOptions, started: number): Promise<StagedAnalysis> {
    const { manifest } = this.model;
    const { signal } = opts;
    const rate = MODEL_SAMPLE_RATE;
    const frameMode = opts.granularity === 'frame';
    const frameEmbedding = frameMode && opts.embedding;
    const D = manifest.embeddingDim;
    const files = await AnalysisOutputs.open(
      {
        outputDir: opts.outputDir,
        outputFailure: opts.outputFailure,
        embeddingFile: opts.embeddingFile,
        frameEmbeddingDim: frameEmbedding ? D : undefined,
        sampleRate: rate,
      },
      this.log,
    );
    const results = new SegmentResults(manifest, Math.floor((opts.maxInlineEmbeddingMB * 1024 * 1024) / 4 / D) * D);
    let inferenceMs = 0;
    const feed = new SegmentFeed(new SegmentPlanner(rate, this.options.maxSegmentS), async (segment, samples) => {
      throwIfAborted(signal);
      await opts.onAudio?.(samples);
      await files.appendAudio(samples);
      const { out, ms } = await this.runSegment(samples, segment, frameMode, frameEmbedding, signal);
      inferenceMs += ms;
      results.add(out);
      if (out.frameFeatures !== undefined) await files.appendFrameEmbedding(out.frameFeatures);
      if (frameEmbedding && !results.frameEmbeddingInMemory && !files.frameEmbeddingOnDisk) {
        throw new InputError(
          'E2V_ERR_INPUT_EMBEDDING_TOO_LARGE',
          `The frame embedding of this input passes ${opts.maxInlineEmbeddingMB} MB (maxInlineEmbeddingMB); give an embeddingFile or outputDir to write it to`,
        );
      }
    });
    try {
      const source = await abortable(this.feedInput(input, feed, signal), signal);
      if (feed.received < manifest.minInputSamples) {
        const n = feed.received;
        throw new InputError(
          'E2V_ERR_INPUT_TOO_SHORT',
          `The audio is ${n} samples (${((n / rate) * 1000).toFixed(1)} ms) at 16 kHz; the model needs at least ${manifest.minInputSamples} (${(manifest.minInputSamples / rate) * 1000} ms)`,
        );
      }
      await abortable(feed.end(), signal);
      throwIfAborted(signal);
      const finishedAt = new Date(); // one clock read: the timestamp and the outputs folder's name
      const result = results.result({
        granularity: opts.granularity,
        windowS: opts.windowS,
        variant: this.model.variant,
        audio: source.audio,
        timings: { ...source.timings, inference: inferenceMs },
        finishedAt,
      });
      const embedding = opts.embedding ? this.embeddingOf(results, frameMode) : null;
      result.timings_ms.total = Math.round((performance.now() - started) * 100) / 100;
      const utteranceEmbedding = opts.embedding && !frameMode ? results.utteranceEmbedding() : null;
      this.log.debug(
        { durationS: source.audio.duration_s, segments: results.count, granularity: opts.granularity, emotion: result.emotion, timings: result.timings_ms },
        'analyzed',
      );
      return this.staged(files, result, embedding, utteranceEmbedding, finishedAt);
    } catch (error) {
      await files.discard();
      throw error;
    }
  }

  /** The {@link StagedAnalysis} of a finished run whose files are open. */
  private staged(
    files: AnalysisOutputs,
    result: Result,
    embedding: Embedding | null,
    utteranceEmbedding: Float32Array | null,
    finishedAt: Date,
  ): StagedAnalysis {
    let settled = false;
    const settle = (): void => {
      if (settled) throw new TypeError('This analysis was already committed or discarded');
      settled = true;
    };
    return {
      result,
      embedding,
      commit: async (final) => {
        settle();
        try {
          const written = await files.commit(final, utteranceEmbedding, finishedAt);
          this.log.debug({ outputDir: written.outputDir, embeddingFile: written.embeddingFile }, 'outputs written');
          return { ...written, result: final, embedding };
        } catch (error) {
          await files.discard();
          throw error;
        }
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await files.discard();
      },
    };
  }

  private embeddingOf(results: SegmentResults, frameMode: boolean): Embedding | null {
    const D = this.model.manifest.embeddingDim;
    if (!frameMode) return { data: results.utteranceEmbedding(), shape: [D] };
    const frames = results.frameEmbedding();
    return frames === undefined ? null : { data: frames.data, shape: [frames.rows, D] };
  }
}
