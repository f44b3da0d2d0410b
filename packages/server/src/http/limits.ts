/**
 * Request size limits (Gradio's DoS advisories: huge multipart boundaries, part counts and file
 * names). One place, so the upload routes of every API agree.
 * @module
 */

/** Limits on what a client may send. */
export interface RequestLimits {
  /** Largest upload (one file, or a raw body) in bytes. */
  maxUploadBytes: number;
  /** Most files in one multipart request. */
  maxFiles: number;
  /** Most parts (files + fields) in one multipart request. */
  maxParts: number;
  /** Longest file name in characters. */
  maxFilenameLength: number;
  /** Largest JSON body in bytes. */
  maxJsonBytes: number;
}

/** Defaults: 200 MB uploads, 16 files, 64 parts, 255-character names, 32 MB JSON (base64 audio). */
export const DEFAULT_LIMITS: RequestLimits = Object.freeze({
  maxUploadBytes: 200 * 1024 * 1024,
  maxFiles: 16,
  maxParts: 64,
  maxFilenameLength: 255,
  maxJsonBytes: 32 * 1024 * 1024,
});
