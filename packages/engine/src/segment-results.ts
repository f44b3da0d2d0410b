/**
 * `SegmentResults`: what each segment's model run gave, folded into one Result as segments
 * arrive, keeping per segment only its logits, its frame logits and (up to a limit) its frame
 * features, never its audio.
 *
 * Long inputs: the utterance logits are the duration-weighted mean of the segment logits, and
 * the utterance embedding the duration-weighted mean of the segment embeddings (so the linear
 * head maps the one onto the other, as for a single segment); `segments` lists each segment's
 * own result; frame scores and frame embeddings are stitched on the input's time axis.
 * @module
 */
import {
  labelEmoji,
  labelZh,
  type FrameSeries,
  type Granularity,
  type ModelManifest,
  type ModelVariant,
  type Result,
  type Scores,
  type SegmentResult,
} from '@e2v/core';
import { MODEL_SAMPLE_RATE } from './load-audio.js';
import { formatLocalTimestamp } from './local-time.js';
import { halfWindowFrames, pooledFrameScores } from './result/frames.js';
import { argmax, softmax } from './result/scores.js';
import type { Segment } from './segment.js';

/** What one segment's run gave. */
export interface SegmentOutput {
  segment: Segment;
  logits: Float32Array;
  embedding: Float32Array;
  /** T: frames of this segment. */
  frames: number;
  /** The graph's `frame_logits` [T, C] (masked labels at -inf), for frame granularity. */
  frameLogits: Float32Array | undefined;
  /** Frame features [T, D], for a frame embedding. */
  frameFeatures: Float32Array | undefined;
}

/** The rest of a Result, known outside the model runs. */
export interface ResultContext {
  granularity: Granularity;
  windowS: number;
  variant: ModelVariant;
  audio: Result['audio'];
  timings: { decode: number; resample: number; inference: number };
  /** When the analysis finished: the `timestamp`, in local time (also the outputs folder's name). */
  finishedAt: Date;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Folds segment outputs into a Result and an embedding. */
export class SegmentResults {
  readonly #outputs: Omit<SegmentOutput, 'embedding' | 'frameFeatures'>[] = [];
  /** Sum over segments of (length x logits) and (length x embedding). */
  readonly #logitSum: Float64Array;
  readonly #embeddingSum: Float64Array;
  #first: { logits: Float32Array; embedding: Float32Array } | undefined;
  #samples = 0;
  #frameFeatures: Float32Array[] | undefined = [];
  #frameValues = 0;

  /**
   * @param manifest the model's labels, sizes and masks
   * @param maxInlineFrameValues most frame-embedding values kept in memory; past it they are
   *   dropped and {@link frameEmbeddingInMemory} turns false
   */
  constructor(
    private readonly manifest: ModelManifest,
    private readonly maxInlineFrameValues: number,
  ) {
    this.#logitSum = new Float64Array(manifest.labels.length);
    this.#embeddingSum = new Float64Array(manifest.embeddingDim);
  }

  /** False once the frame features passed the in-memory limit (they were dropped). */
  get frameEmbeddingInMemory(): boolean {
    return this.#frameFeatures !== undefined;
  }

  /** Number of segments added. */
  get count(): number {
    return this.#outputs.length;
  }

  /** Adds the next segment's output (segments arrive in order). */
  add(output: SegmentOutput): void {
    const { segment, logits, embedding, frameFeatures } = output;
    const weight = segment.end - segment.start;
    this.#first ??= { logits, embedding };
    for (let c = 0; c < logits.length; c++) this.#logitSum[c] = this.#logitSum[c]! + weight * logits[c]!;
    for (let d = 0; d < embedding.length; d++) this.#embeddingSum[d] = this.#embeddingSum[d]! + weight * embedding[d]!;
    this.#samples += weight;
    this.#outputs.push({ segment, logits, frames: output.frames, frameLogits: output.frameLogits });
    if (frameFeatures !== undefined && this.#frameFeatures !== undefined) {
      this.#frameValues += frameFeatures.length;
      if (this.#frameValues > this.maxInlineFrameValues) this.#frameFeatures = undefined;
      else this.#frameFeatures.push(frameFeatures);
    }
  }

  /** The utterance embedding [D]: the one segment's, or the duration-weighted mean. */
  utteranceEmbedding(): Float32Array {
    if (this.#outputs.length === 1) return this.#first!.embedding;
    return Float32Array.from(this.#embeddingSum, (v) => v / this.#samples);
  }

  /** The frame embedding [T', D] when it stayed in memory, else undefined. */
  frameEmbedding(): { data: Float32Array; rows: number } | undefined {
    if (this.#frameFeatures === undefined) return undefined;
    const data = new Float32Array(this.#frameValues);
    let at = 0;
    for (const part of this.#frameFeatures) {
      data.set(part, at);
      at += part.length;
    }
    return { data, rows: this.#frameValues / this.manifest.embeddingDim };
  }

  /** The Result (its `timings_ms.total` is 0: the caller sets it last). */
  result(context: ResultContext): Result {
    const { manifest } = this;
    const logits = this.#outputs.length === 1 ? this.#first!.logits : this.#logitSum.map((v) => v / this.#samples);
    const probabilities = softmax(logits); // masked labels stay at -Infinity: probability 0
    const top = argmax(probabilities);
    const label = manifest.labels[top]!;
    const result: Result = {
      emotion: label.key,
      emotion_zh: labelZh(label.key, label.zh),
      emoji: labelEmoji(label.key),
      confidence: probabilities[top]!,
      scores: this.scores(probabilities),
      granularity: context.granularity,
      frames: context.granularity === 'frame' ? this.frameSeries(context.windowS) : null,
      audio: context.audio,
      model: { name: manifest.name, variant: context.variant },
      timestamp: formatLocalTimestamp(context.finishedAt),
      timings_ms: { decode: round(context.timings.decode), resample: round(context.timings.resample), inference: round(context.timings.inference), total: 0 },
    };
    if (this.#outputs.length > 1) result.segments = this.#outputs.map((o) => this.segmentResult(o.segment, o.logits));
    return result;
  }

  private scores(probabilities: ArrayLike<number>): Scores {
    const scores: Scores = {};
    this.manifest.labels.forEach((label, i) => {
      scores[label.key] = probabilities[i]!;
    });
    return scores;
  }

  private segmentResult(segment: Segment, logits: Float32Array): SegmentResult {
    const p = softmax(logits);
    const i = argmax(p);
    return {
      start_s: segment.start / MODEL_SAMPLE_RATE,
      end_s: segment.end / MODEL_SAMPLE_RATE,
      emotion: this.manifest.labels[i]!.key,
      confidence: p[i]!,
      scores: this.scores(p),
    };
  }

  private frameSeries(windowS: number): FrameSeries {
    const { manifest } = this;
    const C = manifest.labels.length;
    const T = this.#outputs.reduce((n, o) => n + o.frames, 0);
    const all = new Float32Array(T * C);
    const startS: number[] = [];
    const hop = MODEL_SAMPLE_RATE / manifest.frameRate;
    let at = 0;
    for (const o of this.#outputs) {
      all.set(o.frameLogits!, at * C);
      for (let t = 0; t < o.frames; t++) startS.push(Math.round(((o.segment.start + t * hop) / MODEL_SAMPLE_RATE) * 1e6) / 1e6);
      at += o.frames;
    }
    const half = halfWindowFrames(windowS, manifest.frameRate);
    return { rate: manifest.frameRate, window_s: windowS, start_s: startS, scores: pooledFrameScores(all, T, C, half, manifest.maskedLabels?.indices ?? []) };
  }
}
