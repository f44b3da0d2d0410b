/**
 * The `classifier` built-in plugin: applies a trained classifier model (options
 * `{ model: FILE }`) to the embedding of every result that has one, adding `{ label, scores }`
 * at `result.plugins.classifier`. Results without an embedding get nothing.
 * @module
 */
import { resolve } from 'node:path';
import { checkObject, checkString } from '../../check.js';
import { definePlugin } from '../../define.js';
import { embeddingVector } from './data.js';
import { loadClassifier, predict } from './model.js';

/** Options of the classifier plugin. */
export interface ClassifierPluginOptions {
  /** The model file (`e2v classifier train --out`), relative to the config file's folder. */
  model: string;
}

/** The classifier plugin. */
export const classifierPlugin = definePlugin({
  name: 'classifier',
  parseOptions(raw: unknown): ClassifierPluginOptions {
    const o = checkObject(raw, 'classifier options', ['model']);
    return { model: checkString(o.model, 'classifier options.model') };
  },
  async setup(ctx, options) {
    const model = await loadClassifier(resolve(ctx.baseDir, options.model));
    ctx.log.info({ type: model.type, labels: model.labels, dim: model.dim }, 'classifier model loaded');
    return model;
  },
  hooks: {
    onResult({ embedding }, { state: model }) {
      if (embedding === null) return undefined;
      return { ...predict(model, embeddingVector(embedding)) };
    },
  },
});
