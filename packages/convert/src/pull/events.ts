/**
 * Progress events of `pullModel`, in the order they come: per file `file-start`,
 * `file-progress`* (with `file-retry` when a request is retried), `file-done`
 * (a file an earlier pull already downloaded gets only `file-done` with `cached`);
 * then `convert-start` / `convert-done`.
 * @module
 */

/** A file's download starts (or resumes). */
export interface FileStartEvent {
  type: 'file-start';
  /** File name, e.g. `model.pt`. */
  file: string;
  /** 0-based position among the model's files. */
  index: number;
  /** Number of files of the model. */
  count: number;
  /** Download URL. */
  url: string;
  /** Bytes already on disk that the download resumes from (0 for a fresh start). */
  bytesDone: number;
  /** Expected total size, or null when not known yet. */
  bytesTotal: number | null;
}

/** Bytes arrived (sent at most every `progressIntervalMs`, and once at the end of the body). */
export interface FileProgressEvent {
  type: 'file-progress';
  file: string;
  index: number;
  count: number;
  /** Bytes of the file on disk so far (including a resumed prefix). */
  bytesDone: number;
  /** Total size, or null when the server did not say. */
  bytesTotal: number | null;
  /** Transfer rate over the last seconds, bytes/s. */
  bytesPerSecond: number;
  /** Estimated seconds left, or null when unknown. */
  etaSeconds: number | null;
}

/** A request failed in a way worth retrying; the next attempt starts after `delayMs`. */
export interface FileRetryEvent {
  type: 'file-retry';
  file: string;
  /** 1-based number of the attempt about to be made. */
  attempt: number;
  /** Wait before it, ms. */
  delayMs: number;
  /** Why (HTTP status or network error). */
  reason: string;
}

/** A file is complete (renamed to its final name). */
export interface FileDoneEvent {
  type: 'file-done';
  file: string;
  index: number;
  count: number;
  /** Size in bytes. */
  bytes: number;
  /** sha256 of the content. */
  sha256: string;
  /** True when checked against a published or pinned sha256. */
  verified: boolean;
  /** True when the file was already downloaded by an earlier pull. */
  cached: boolean;
}

/** The converter starts. */
export interface ConvertStartEvent {
  type: 'convert-start';
  /** Folder with model.pt, config.yaml, tokens.txt. */
  fromDir: string;
  /** Folder the converted model goes to. */
  outDir: string;
}

/** The converter finished. */
export interface ConvertDoneEvent {
  type: 'convert-done';
  outDir: string;
  /** Conversion time, ms. */
  elapsedMs: number;
}

/** Everything `onProgress` receives. */
export type PullProgressEvent = FileStartEvent | FileProgressEvent | FileRetryEvent | FileDoneEvent | ConvertStartEvent | ConvertDoneEvent;
