/**
 * `@e2v/plugins`: the plugin interface (`definePlugin`), the plugin host (isolation, timeouts,
 * lifecycle), loading from `e2v.config.*` and `--plugin` specs, the built-in plugins (`alert`,
 * `classifier`, `sink`) and classifier training. See docs/writing-plugins.md.
 * @module
 */
export { definePlugin } from './define.js';
export { analyzeWithPlugins, type AnalysisWithPlugins } from './analyze.js';
export { createPluginHost, type LoadedPlugin, type PluginHost, type PluginHostOptions } from './host.js';
export { loadPlugins, loadPluginEntries, type LoadPluginsOptions } from './load/load-plugins.js';
export { findConfigFile } from './load/config-file.js';
export type {
  AnalysisContext,
  AnalysisOptions,
  AnyPlugin,
  Awaitable,
  BeforeAnalyzeEvent,
  BeforeAnalyzeOutcome,
  BeforeAnalyzeReturn,
  EmbeddingArray,
  ErrorEvent,
  HookContext,
  Plugin,
  PluginContext,
  PluginEntry,
  PluginFailure,
  PluginHooks,
  PluginOutput,
  ResultContext,
  ResultEvent,
  ResultWithPlugins,
} from './types.js';
export {
  AlertDeliveryError,
  CLASSIFIER_ERROR_CODES,
  ClassifierError,
  PLUGIN_CONFIG_ERROR_CODES,
  PLUGIN_ERROR_CODES,
  PluginConfigError,
  PluginError,
  PluginVetoError,
  type ClassifierErrorCode,
  type HookName,
  type PluginConfigErrorCode,
  type PluginErrorCode,
} from './errors.js';

// the built-in plugins are loaded by name (`--plugin alert`); their options, for typed config files
export type { AlertAction, AlertPluginOptions, AlertRule, Condition, RetryPolicy } from './builtin/alert/index.js';
export type { SinkPluginOptions } from './builtin/sink.js';
export type { ClassifierPluginOptions } from './builtin/classifier/index.js';
export { trainClassifier, type TrainClassifierOptions, type TrainClassifierResult } from './builtin/classifier/train.js';
export type { ClassifierModel, ClassifierSpec, KnnModel, LogregModel, Prediction } from './builtin/classifier/model.js';
export type { CrossValidation } from './builtin/classifier/cross-validate.js';
export { embeddingVector, type EmbeddingLike, type TrainingSet } from './builtin/classifier/data.js';
