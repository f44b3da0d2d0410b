/**
 * `@e2v/server`: the e2v server on port 7860 — Gradio-compatible API, REST API (`/api/v1`),
 * Prometheus metrics and the web page, on Hono.
 * @module
 */
export { DEFAULT_UPLOADS_RETENTION, startServer, SERVER_VERSION, type RunningServer, type ServerOptions } from './server.js';
export { createApp, type AppParts, type E2vApp } from './app.js';
export { INSTALL_COMMAND, loadModelStatus, type ModelStatus } from './analysis/model-state.js';
export { DEFAULT_LIMITS, resolveLimits, type RequestLimits } from './http/limits.js';
export type { RetentionLimits } from './storage/retention.js';
export { FileStore, type FileStoreFolders } from './storage/file-store.js';
export { HttpError, toHttpError, type ErrorStatus } from './errors.js';
export { openApiDocument } from './rest/openapi.js';
