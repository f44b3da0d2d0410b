/**
 * Messages between the engine and its inference thread ({@link ./ort-worker.ts}).
 * @module
 */

/** Session settings sent to the thread (a subset of ORT's SessionOptions, structured-cloneable). */
export interface OrtSessionSettings {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  executionMode: 'sequential' | 'parallel';
  enableMemPattern: boolean;
  enableCpuMemArena: boolean;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  logSeverityLevel: 0 | 1 | 2 | 3 | 4;
  /** Pre-pack MatMul weights at session creation (ORT's default; off: `session.disable_prepacking`). */
  prepackWeights: boolean;
}

/** Name, element type and shape (numbers, or strings for symbolic dimensions) of a graph input or output. */
export interface IoMeta {
  name: string;
  /** ORT type name (`float32`, ...), or undefined for a non-tensor value. */
  type: string | undefined;
  shape: (number | string)[];
}

/** A float32 tensor as flat data and dims. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** Engine -> thread. */
export type WorkerRequest =
  | {
      kind: 'open';
      modelPath: string;
      settings: OrtSessionSettings;
      /** One Int32 the thread sets to 1 while ORT runs, 0 otherwise (see exit-guard.ts). */
      busy: SharedArrayBuffer;
    }
  | { kind: 'run'; id: number; input: string; waveform: Float32Array }
  | { kind: 'close' };

/** Thread -> engine. */
export type WorkerReply =
  | { kind: 'opened'; inputs: IoMeta[]; outputs: IoMeta[]; ms: number }
  | { kind: 'open-failed'; message: string }
  | { kind: 'result'; id: number; outputs: Record<string, FloatTensor>; ms: number }
  | { kind: 'run-failed'; id: number; message: string }
  | { kind: 'closed' };
