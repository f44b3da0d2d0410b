/**
 * Model pull: resumable verified download of a registry model, progress rendering.
 * @module
 */
export type {
  ConvertDoneEvent,
  ConvertStartEvent,
  FileDoneEvent,
  FileProgressEvent,
  FileRetryEvent,
  FileStartEvent,
  PullProgressEvent,
} from './events.js';
export { filesPageUrl, fileUrl, listingUrl, resolveEndpoints, resolveSource, type HubEndpoints, type ShaSource } from './hubs.js';
export { createProgressRenderer, formatBytes, type ProgressRenderer, type ProgressRendererOptions } from './progress.js';
export { pullModel, type PulledFile, type PullOptions, type PullReport } from './pull.js';
