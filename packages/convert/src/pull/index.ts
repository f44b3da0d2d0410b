/**
 * Model pull: registry, resumable verified download, progress rendering.
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
export type { ShaSource } from './hubs.js';
export { createProgressRenderer, formatBytes, formatDuration, type ProgressRenderer, type ProgressRendererOptions } from './progress.js';
export { listModels, pullModel, type ListedModel, type PulledFile, type PullOptions, type PullReport } from './pull.js';
export {
  DEFAULT_REGISTRY_PATH,
  defaultModelsDir,
  findModel,
  loadRegistry,
  parseRegistry,
  type HubSource,
  type Registry,
  type RegistryFile,
  type RegistryLabel,
  type RegistryModel,
} from './registry.js';
