/**
 * `@e2v/plugins`: the plugin interface (`definePlugin`), the plugin host (isolation, timeouts,
 * lifecycle), loading from `e2v.config.*` and `--plugin` specs, the built-in plugins (`alert`,
 * `classifier`, `sink`) and classifier training. See docs/writing-plugins.md.
 * @module
 */
export { definePlugin, assertPlugin, PLUGIN_NAME_PATTERN } from './define.js';
export { analyzeWithPlugins, type AnalysisWithPlugins } from './analyze.js';
export { createPluginHost, DEFAULT_HOOK_TIMEOUT_MS, type LoadedPlugin, type PluginHost, type PluginHostOptions } from './host.js';
export { loadPlugins, loadPluginEntries, type LoadPluginsOptions } from './load/load-plugins.js';
export { CONFIG_FILE_NAMES, findConfigFile } from './load/config-file.js';
export { parsePluginSpec } from './load/spec.js';
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

export { BUILTIN_PLUGINS } from './builtin/index.js';
export { alertPlugin, type AlertAction, type AlertPluginOptions, type AlertRule, type Condition, type RetryPolicy } from './builtin/alert/index.js';
export { sinkPlugin, SINK_CSV_COLUMNS, SINK_CSV_LABELS, type SinkPluginOptions } from './builtin/sink.js';
export { classifierPlugin, type ClassifierPluginOptions } from './builtin/classifier/index.js';
export { trainClassifier, type TrainClassifierOptions, type TrainClassifierResult } from './builtin/classifier/train.js';
export {
  CLASSIFIER_FORMAT,
  CLASSIFIER_FORMAT_VERSION,
  fitClassifier,
  loadClassifier,
  parseClassifierModel,
  predict,
  saveClassifier,
  type ClassifierModel,
  type ClassifierSpec,
  type KnnModel,
  type LogregModel,
  type Prediction,
} from './builtin/classifier/model.js';
export { crossValidate, type CrossValidation } from './builtin/classifier/cross-validate.js';
export { embeddingVector, loadTrainingData, type EmbeddingLike, type TrainingSet } from './builtin/classifier/data.js';
