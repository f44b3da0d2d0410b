/**
 * The built-in plugins, by the short names specs use.
 * @module
 */
import { alertPlugin } from './alert/index.js';
import { classifierPlugin } from './classifier/index.js';
import { sinkPlugin } from './sink.js';

/** Built-in plugins by short name (`alert`, `classifier`, `sink`). */
export const BUILTIN_PLUGINS = Object.freeze({ alert: alertPlugin, classifier: classifierPlugin, sink: sinkPlugin });
