/**
 * `@e2v/server`: the e2v server on port 7860 — Gradio-compatible API, REST API (`/api/v1`),
 * Prometheus metrics and the web page, on Hono.
 * @module
 */
export { DEFAULT_UPLOADS_RETENTION, startServer, type RunningServer, type ServerOptions } from './server.js';
export type { ModelStatus } from './analysis/model-state.js';
export type { RequestLimits } from './http/limits.js';
export type { RetentionLimits } from './storage/retention.js';
export { HttpError, type ErrorStatus } from './errors.js';
