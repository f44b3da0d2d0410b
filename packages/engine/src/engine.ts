/**
 * `Engine`: audio in, design.md `Result` out, on onnxruntime-node.
 *
 * Pipeline of one analysis: read / decode (worker threads) -> mean of channels ->
 * torchaudio-compatible resampling to 16 kHz (native) -> split into segments when longer than
 * `maxSegmentS` -> per segment: whole-utterance layer norm (model.json `normalize`) -> the graph
 * (one ORT session per engine, on its own thread) -> softmax, labels, frame scores, timings ->
 * optionally the outputs folder.
 *
 * Long inputs: the utterance logits are the duration-weighted mean of the segment logits, and
 * the utterance embedding the duration-weighted mean of the segment embeddings (so the linear
 * head maps the one onto the other, as for a single segment); `segments` lists each segment's
 * own result; frame scores and frame embeddings are stitched on the input's time axis.
 *
 * Concurrency: at most `queueDepth` analyses at once (more: `QueueFullError`); model runs go
 * through one first-in first-out queue per session. Inputs are never batched: emotion2vec's
 * outputs change with padding, and on CPU a batch of equal-length inputs is not faster than
 * running them one after the other with all intra-op threads.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { AbortedError, InferenceError, InputError, QueueFullError } from './errors.js';
import { resolveAnalyzeOptions, resolveEngineOptions, type AnalyzeOptions, type EngineOptions, type ResolvedEngineOptions } from './engine-options.js';
import type { FloatTensor } from './infer/ort-protocol.js';
import { loadAudio16k, MODEL_SAMPLE_RATE } from './load-audio.js';
import type { Logger } from './logger.js';
import { frameLogits } from './model/head.js';
import { loadModel, type LoadedModel } from './model/load-model.js';
import type { ModelLabel, ModelVariant } from './model/manifest.js';
import { writeOutputsFolder } from './outputs.js';
import { firstNonFinite, layerNormUtterance } from './preprocess.js';
import { halfWindowFrames, pooledFrameScores } from './result/frames.js';
import { labelEmoji, labelZh } from './result/labels.js';
import { argmax, softmax } from './result/scores.js';
import type { FrameSeries, Result, Scores, SegmentResult } from './result/types.js';
import { planSegments, type Segment } from './segment.js';

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
  /** The embedding when `embedding: true` was asked, else null. */
  embedding: Embedding | null;
  /** The outputs folder written, when `outputDir` was given, else null. */
  outputDir: string | null;
  /**
   * Why the outputs folder was not written (`E2V_ERR_OUTPUT_WRITE`), when `outputFailure: 'report'`
   * was asked and the write failed; absent otherwise.
   */
  outputError?: InferenceError;
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

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** 16 kHz mono audio and what it came from. */
interface PreparedAudio {
  samples: Float32Array;
  audio: Result['audio'];
  timings: { decode: number; resample: number };
}

/** What one segment's run gave. */
interface SegmentOutput {
  segment: Segment;
  logits: Float32Array;
  embedding: Float32Array;
  frames: number;
  /** Per-frame head logits [T, C], for frame granularity. */
  frameLogits: Float64Array | undefined;
  /** Frame features [T, D], for frame granularity with an embedding. */
  frameFeatures: Float32Array | undefined;
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
   *   (label count differs from the graph), `E2V_ERR_MODEL_HEAD`
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
      random: manifest.random,
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

  private async prepare(input: AnalyzeInput, signal: AbortSignal | undefined): Promise<PreparedAudio> {
    if (input instanceof Float32Array) {
      const bad = firstNonFinite(input);
      if (bad >= 0) throw new InputError('E2V_ERR_INPUT_NOT_FINITE', `Sample ${bad} of the input is ${input[bad]}; samples must be finite`);
      return {
        samples: input,
        audio: { duration_s: input.length / MODEL_SAMPLE_RATE, sample_rate: MODEL_SAMPLE_RATE, channels: 1, format: 'pcm_f32' },
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
    const loaded = await abortable(loadAudio16k(bytes, { maxBytes, timeoutMs, maxDurationS: this.options.maxDurationS }), signal);
    return {
      samples: loaded.samples,
      audio: {
        duration_s: loaded.source.durationS,
        sample_rate: loaded.source.sampleRate,
        channels: loaded.source.channels,
        format: loaded.source.format,
      },
      timings: loaded.timingsMs,
    };
  }

  private scoresObject(probabilities: ArrayLike<number>): Scores {
    const scores: Scores = {};
    this.model.manifest.labels.forEach((label, i) => {
      scores[label.key] = probabilities[i]!;
    });
    return scores;
  }

  private async runSegment(samples: Float32Array, segment: Segment, keepFrameLogits: boolean, keepFrames: boolean, signal: AbortSignal | undefined): Promise<{ out: SegmentOutput; ms: number }> {
    const { manifest, head, session } = this.model;
    const piece = samples.subarray(segment.start, segment.end);
    const waveform = manifest.normalize ? layerNormUtterance(piece, manifest.normalizeEps) : piece.slice();
    const { outputs, ms } = await session.run(waveform, signal);
    const D = manifest.embeddingDim;
    const C = manifest.labels.length;
    const get = (name: string, dims: (number | undefined)[]): FloatTensor => {
      const t = outputs[name];
      const ok = t !== undefined && t.dims.length === dims.length && dims.every((d, i) => d === undefined || t.dims[i] === d);
      if (!ok) {
        throw new InferenceError('E2V_ERR_INFER_FAILED', `The graph returned ${name} with dims [${t?.dims.join(', ') ?? ''}], expected [${dims.map((d) => d ?? 'T').join(', ')}]`);
      }
      return t;
    };
    const frames = get('frames', [1, undefined, D]);
    const T = frames.dims[1]!;
    if (T < 1) throw new InferenceError('E2V_ERR_INFER_FAILED', `The graph returned no frame for ${piece.length} samples`);
    const out: SegmentOutput = {
      segment,
      logits: get('logits', [1, C]).data,
      embedding: get('embedding', [1, D]).data,
      frames: T,
      frameLogits: keepFrameLogits ? frameLogits(head, frames.data, T) : undefined,
      frameFeatures: keepFrames ? frames.data : undefined,
    };
    return { out, ms };
  }

  private async run(input: AnalyzeInput, opts: ReturnType<typeof resolveAnalyzeOptions>, started: number): Promise<Analysis> {
    const { manifest } = this.model;
    const { signal } = opts;
    const prepared = await this.prepare(input, signal);
    throwIfAborted(signal);
    const { samples } = prepared;
    const rate = MODEL_SAMPLE_RATE;
    if (samples.length < manifest.minInputSamples) {
      throw new InputError(
        'E2V_ERR_INPUT_TOO_SHORT',
        `The audio is ${samples.length} samples (${((samples.length / rate) * 1000).toFixed(1)} ms) at 16 kHz; the model needs at least ${manifest.minInputSamples} (${(manifest.minInputSamples / rate) * 1000} ms)`,
      );
    }
    if (samples.length / rate > this.options.maxDurationS) {
      throw new InputError('E2V_ERR_INPUT_TOO_LONG', `The audio is ${(samples.length / rate).toFixed(1)} s long, more than the limit of ${this.options.maxDurationS} s`);
    }
    const segments = await abortable(planSegments(samples, rate, this.options.maxSegmentS), signal);
    const frameMode = opts.granularity === 'frame';
    const outputs: SegmentOutput[] = [];
    let inferenceMs = 0;
    for (const segment of segments) {
      throwIfAborted(signal);
      const { out, ms } = await this.runSegment(samples, segment, frameMode, frameMode && opts.embedding, signal);
      outputs.push(out);
      inferenceMs += ms;
    }
    const result = this.buildResult(prepared, outputs, opts.granularity, opts.windowS, inferenceMs);
    const embedding = opts.embedding ? this.embeddingOf(outputs, frameMode, samples.length) : null;
    throwIfAborted(signal);
    result.timings_ms.total = round(performance.now() - started);
    let outputDir: string | null = null;
    let outputError: InferenceError | undefined;
    if (opts.outputDir !== undefined) {
      try {
        outputDir = await writeOutputsFolder(opts.outputDir, { audio: samples, sampleRate: rate, result, embedding });
      } catch (error) {
        if (opts.outputFailure === 'throw') throw error;
        outputError = error as InferenceError;
        this.log.warn({ err: outputError }, 'outputs folder not written; the result is kept');
      }
    }
    this.log.debug(
      { durationS: prepared.audio.duration_s, segments: segments.length, granularity: opts.granularity, emotion: result.emotion, timings: result.timings_ms, outputDir },
      'analyzed',
    );
    return { result, embedding, outputDir, ...(outputError === undefined ? {} : { outputError }) };
  }

  private embeddingOf(outputs: SegmentOutput[], frameMode: boolean, total: number): Embedding {
    const D = this.model.manifest.embeddingDim;
    if (frameMode) {
      const T = outputs.reduce((n, o) => n + o.frames, 0);
      const data = new Float32Array(T * D);
      let at = 0;
      for (const o of outputs) {
        data.set(o.frameFeatures!, at);
        at += o.frameFeatures!.length;
      }
      return { data, shape: [T, D] };
    }
    if (outputs.length === 1) return { data: outputs[0]!.embedding, shape: [D] };
    const acc = new Float64Array(D);
    for (const o of outputs) {
      const w = (o.segment.end - o.segment.start) / total;
      for (let d = 0; d < D; d++) acc[d] = acc[d]! + w * o.embedding[d]!;
    }
    return { data: Float32Array.from(acc), shape: [D] };
  }

  private buildResult(prepared: PreparedAudio, outputs: SegmentOutput[], granularity: Result['granularity'], windowS: number, inferenceMs: number): Result {
    const { manifest, variant } = this.model;
    const C = manifest.labels.length;
    const total = prepared.samples.length;
    let logits: ArrayLike<number>;
    if (outputs.length === 1) {
      logits = outputs[0]!.logits;
    } else {
      // duration-weighted mean of the segment logits (masked labels stay at -Infinity)
      const acc = new Float64Array(C);
      for (const o of outputs) {
        const w = (o.segment.end - o.segment.start) / total;
        for (let c = 0; c < C; c++) acc[c] = acc[c]! + w * o.logits[c]!;
      }
      logits = acc;
    }
    const probabilities = softmax(logits);
    const top = argmax(probabilities);
    const label = manifest.labels[top]!;
    let frames: FrameSeries | null = null;
    if (granularity === 'frame') {
      const T = outputs.reduce((n, o) => n + o.frames, 0);
      const all = new Float64Array(T * C);
      const startS: number[] = [];
      const hop = MODEL_SAMPLE_RATE / manifest.frameRate;
      let at = 0;
      for (const o of outputs) {
        all.set(o.frameLogits!, at * C);
        for (let t = 0; t < o.frames; t++) startS.push(Math.round(((o.segment.start + t * hop) / MODEL_SAMPLE_RATE) * 1e6) / 1e6);
        at += o.frames;
      }
      const half = halfWindowFrames(windowS, manifest.frameRate);
      frames = { rate: manifest.frameRate, start_s: startS, scores: pooledFrameScores(all, T, C, half, manifest.maskedLabelIndices) };
    }
    const result: Result = {
      emotion: label.key,
      emotion_zh: labelZh(label.key, label.zh),
      emoji: labelEmoji(label.key),
      confidence: probabilities[top]!,
      scores: this.scoresObject(probabilities),
      granularity,
      frames,
      audio: prepared.audio,
      model: { name: manifest.name, variant },
      timestamp: new Date().toISOString(),
      timings_ms: { decode: round(prepared.timings.decode), resample: round(prepared.timings.resample), inference: round(inferenceMs), total: 0 },
    };
    if (outputs.length > 1) {
      result.segments = outputs.map((o): SegmentResult => {
        const p = softmax(o.logits);
        const i = argmax(p);
        return {
          start_s: o.segment.start / MODEL_SAMPLE_RATE,
          end_s: o.segment.end / MODEL_SAMPLE_RATE,
          emotion: manifest.labels[i]!.key,
          confidence: p[i]!,
          scores: this.scoresObject(p),
        };
      });
    }
    return result;
  }
}
