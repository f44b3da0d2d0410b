/**
 * `@e2v/core`: the contracts every e2v package shares, in pure TypeScript — the error base class,
 * the model folder (model.json, the registry of known models), the Result with its label names
 * and audio warnings, and the small helpers more than one package needs. It imports no other
 * e2v package. See README.md.
 * @module
 */
export { E2vError, ManifestError, RegistryError, type E2vErrorCode, type RegistryErrorCode } from './errors.js';

export {
  MANIFEST_FILE,
  MANIFEST_FORMAT_VERSION,
  parseManifest,
  type MaskedLabels,
  type ModelLabel,
  type ModelVariant,
  type ModelManifest,
  type VariantFiles,
  type WrittenLabel,
  type WrittenManifest,
  type WrittenVariantFiles,
} from './model-folder/manifest.js';
export {
  DEFAULT_MODEL_NAME,
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
} from './model-folder/registry.js';
export { listModels, type ListedModel } from './model-folder/list-models.js';

export type { FrameSeries, Granularity, Result, Scores, SegmentResult } from './result/types.js';
export { AUDIO_WARNING_CODES, type AudioWarning, type AudioWarningCode } from './result/warnings.js';
export { guideLabelNames, labelEmoji, labelEn, labelNames, labelZh, type LabelNames } from './result/labels.js';

export { TEMP_SUFFIX, writeFileAtomic } from './atomic-write.js';
export { csvLine, parseCsv } from './csv.js';
export { formatDuration } from './duration.js';
export { checkPoints, cosineSimilarity, dot, type Vector } from './math/vector.js';
export { kmeans, type KMeansOptions, type KMeansResult } from './math/kmeans.js';
export { chooseK, silhouette, type ChooseKResult } from './math/silhouette.js';
export { createRandom, normal, shuffled, type Random } from './math/random.js';
