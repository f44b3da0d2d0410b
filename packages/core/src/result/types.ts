/**
 * The Result of one analysis, exactly as design.md fixes it (result.json, REST JSON, Gradio
 * JSON output). Field names are snake_case because they are a wire format.
 * @module
 */
import type { ModelVariant } from '../model-folder/manifest.js';
import type { AudioWarning } from './warnings.js';

/** Analysis granularity. */
export type Granularity = 'utterance' | 'frame';

/** Probability of every label, in model order. */
export type Scores = Record<string, number>;

/** Frame time series of a frame-granularity Result. */
export interface FrameSeries {
  /** Model frames per second (50). */
  rate: number;
  /** Length in seconds of the centred window whose mean logits scored each frame (0: each frame on its own). */
  window_s: number;
  /** Start time of each frame in seconds, on the time axis of the whole input. */
  start_s: number[];
  /** One row per frame: the probability of every label in model order (softmax of the window-pooled logits). */
  scores: number[][];
}

/** One piece of a long input that was analyzed on its own (see the engine's `maxSegmentS`). */
export interface SegmentResult {
  start_s: number;
  end_s: number;
  emotion: string;
  confidence: number;
  scores: Scores;
}

/** The Result of design.md. */
export interface Result {
  /** Top label key, e.g. `angry`. */
  emotion: string;
  /** Its Chinese name. */
  emotion_zh: string;
  emoji: string;
  /** Probability of the top label. */
  confidence: number;
  scores: Scores;
  granularity: Granularity;
  /** Frame scores for `granularity: 'frame'`, else null. */
  frames: FrameSeries | null;
  audio: {
    /** Duration of the input in seconds. */
    duration_s: number;
    /** The input's own sample rate (16000 for Float32Array input). */
    sample_rate: number;
    channels: number;
    /** Container / codec recognised (`wav`, `mp3`, ...), or `pcm_f32` for Float32Array input. */
    format: string;
    /**
     * What decoding lost: a file cut short (`E2V_WARN_AUDIO_TRUNCATED`), frames the decoder
     * skipped (`E2V_WARN_AUDIO_DAMAGED_FRAMES`). Always present; empty for clean audio.
     */
    warnings: AudioWarning[];
  };
  model: { name: string; variant: ModelVariant };
  /**
   * When the analysis finished: ISO 8601 local time with milliseconds and the UTC offset
   * (`2026-12-05T22:30:00.123+08:00`); its outputs folder is named after the same instant.
   */
  timestamp: string;
  timings_ms: { decode: number; resample: number; inference: number; total: number };
  /** Present only when the input was longer than `maxSegmentS` and analyzed in segments. */
  segments?: SegmentResult[];
}
