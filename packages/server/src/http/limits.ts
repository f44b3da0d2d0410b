/**
 * Request and connection limits (Gradio's DoS advisories: huge multipart boundaries, part counts
 * and file names; issue 12: bodies, connections and event streams a client can hold). One place,
 * so the upload routes of every API agree.
 * @module
 */
import { readFileSync } from 'node:fs';

/** Limits on what clients may send and hold open. */
export interface RequestLimits {
  /** Largest upload (one file, a raw body, or the audio of a data URL) in bytes. */
  maxUploadBytes: number;
  /** Most files in one multipart request. */
  maxFiles: number;
  /** Most parts (files + fields) in one multipart request. */
  maxParts: number;
  /** Longest file name in characters. */
  maxFilenameLength: number;
  /** Largest JSON body in bytes (never more than a data URL of `maxUploadBytes` needs). */
  maxJsonBytes: number;
  /** Upload bodies (multipart, raw REST bodies; streamed to disk) read at once. */
  maxConcurrentUploads: number;
  /** Bytes of the upload bodies being read, all together. */
  maxUploadBytesInFlight: number;
  /** JSON bodies (held in memory) read at once. */
  maxConcurrentJsonBodies: number;
  /** Bytes of the JSON bodies being read, all together. */
  maxJsonBytesInFlight: number;
  /** Open connections; past it the oldest idle one is closed, or the new one refused (503). */
  maxConnections: number;
  /** Open connections of one non-loopback address (429 past it). */
  maxConnectionsPerClient: number;
  /** Open event streams (heartbeat, queue data, call results); past it the oldest heartbeat stream is ended, or the new stream refused (503). */
  maxStreams: number;
  /** Open event streams of one non-loopback address (429 past it). */
  maxStreamsPerClient: number;
  /** Time a connection gets to send a request's headers, in ms. */
  headersTimeoutMs: number;
}

/** Open files the process may have (soft RLIMIT_NOFILE from /proc; 1024 where unknown). */
export function openFileLimit(): number {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line === null ? 1024 : Number(line[1]);
  } catch {
    return 1024;
  }
}

/** Connections allowed by default: 80% of the open-file limit (files, the model and workers need the rest), between 64 and 16384. */
function defaultMaxConnections(): number {
  return Math.min(16_384, Math.max(64, Math.floor(openFileLimit() * 0.8)));
}

const MAX_CONNECTIONS = defaultMaxConnections();

/**
 * Defaults: 200 MB uploads, 16 files, 64 parts, 255-character names, 32 MB JSON (base64 audio);
 * 8 uploads and 1 GB in flight, 64 JSON bodies and 64 MB in flight; connections 80% of the
 * open-file limit, 256 per non-loopback address; event streams half of the connections, 64 per
 * non-loopback address; 10 s to send the headers.
 */
export const DEFAULT_LIMITS: RequestLimits = Object.freeze({
  maxUploadBytes: 200 * 1024 * 1024,
  maxFiles: 16,
  maxParts: 64,
  maxFilenameLength: 255,
  maxJsonBytes: 32 * 1024 * 1024,
  maxConcurrentUploads: 8,
  maxUploadBytesInFlight: 1024 * 1024 * 1024,
  maxConcurrentJsonBodies: 64,
  maxJsonBytesInFlight: 64 * 1024 * 1024,
  maxConnections: MAX_CONNECTIONS,
  maxConnectionsPerClient: 256,
  maxStreams: Math.floor(MAX_CONNECTIONS / 2),
  maxStreamsPerClient: 64,
  headersTimeoutMs: 10_000,
});

/**
 * The limits with the defaults filled in; when only `maxConnections` is given, `maxStreams`
 * follows it (half), so that streams never take every connection; the default bytes in flight
 * grow to hold one body of the largest size allowed.
 * @param overrides limits to change
 * @throws RangeError for a limit that is not a positive number
 */
export function resolveLimits(overrides: Partial<RequestLimits> = {}): RequestLimits {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as Partial<RequestLimits>;
  const limits: RequestLimits = { ...DEFAULT_LIMITS, ...given };
  if (given.maxConnections !== undefined && given.maxStreams === undefined) limits.maxStreams = Math.max(1, Math.floor(given.maxConnections / 2));
  // a single body the per-body limit allows always fits the default budget
  if (given.maxUploadBytesInFlight === undefined) limits.maxUploadBytesInFlight = Math.max(limits.maxUploadBytesInFlight, limits.maxUploadBytes);
  if (given.maxJsonBytesInFlight === undefined) limits.maxJsonBytesInFlight = Math.max(limits.maxJsonBytesInFlight, limits.maxJsonBytes);
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`Expected a positive number for limits.${name} but received ${String(value)}`);
  }
  return limits;
}
