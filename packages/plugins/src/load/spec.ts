/**
 * Plugin specs: what names a plugin on the command line (`--plugin`) or in a config file.
 *
 * - a built-in's short name: `alert`, `classifier`, `sink`;
 * - a path (starting with `./`, `../`, `/` or `file:`): a module file (.js, .mjs, .cjs, .ts,
 *   .mts) or a package folder, relative to the config file's folder (or the cwd for `--plugin`);
 * - anything else: an npm package name, optionally with a subpath, found from that same folder.
 *
 * On the command line a spec may carry its options as a JSON object after `=`:
 * `--plugin 'sink={"jsonl":"results.jsonl"}'`.
 * @module
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertPlugin } from '../define.js';
import { PluginConfigError } from '../errors.js';
import { BUILTIN_PLUGINS } from '../builtin/index.js';
import type { AnyPlugin } from '../types.js';
import { importDefault } from './import-module.js';
import { packageEntry, resolvePackage } from './resolve-package.js';

/**
 * Splits a command-line spec into the spec and its options.
 * @param text `spec` or `spec=<JSON options>`
 * @returns the spec and, when given, the parsed options
 * @throws PluginConfigError `E2V_ERR_PLUGIN_OPTIONS` when the JSON does not parse
 */
export function parsePluginSpec(text: string): { spec: string; options?: unknown } {
  const match = /^([^=]+)=(\{.*\})$/s.exec(text);
  if (match === null) return { spec: text };
  const [, spec = '', json = ''] = match;
  try {
    return { spec, options: JSON.parse(json) };
  } catch (cause) {
    throw new PluginConfigError('E2V_ERR_PLUGIN_OPTIONS', `The options of --plugin ${spec} are not valid JSON: ${json}`, { plugin: spec, cause });
  }
}

/** True when a spec is a path rather than a package name. */
function isPathSpec(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('file:') || isAbsolute(spec) || spec === '.' || spec === '..';
}

/**
 * Loads the plugin a spec names.
 * @param spec a built-in name, a path or a package name
 * @param baseDir the folder relative paths and package lookups start from
 * @returns the plugin definition
 * @throws PluginConfigError `E2V_ERR_PLUGIN_NOT_FOUND`, `E2V_ERR_PLUGIN_LOAD` or `E2V_ERR_PLUGIN_INVALID`
 */
export async function loadPluginSpec(spec: string, baseDir: string): Promise<AnyPlugin> {
  const builtin = BUILTIN_PLUGINS[spec as keyof typeof BUILTIN_PLUGINS];
  if (builtin !== undefined) return builtin;
  const file = isPathSpec(spec) ? resolvePath(spec, baseDir) : resolvePackage(spec, baseDir);
  if (file === undefined) {
    throw new PluginConfigError(
      'E2V_ERR_PLUGIN_NOT_FOUND',
      `Plugin "${spec}" is not a built-in (${Object.keys(BUILTIN_PLUGINS).join(', ')}), a file or a package found from ${baseDir}`,
      {
        plugin: spec,
      },
    );
  }
  let exported: unknown;
  try {
    exported = await importDefault(file);
  } catch (cause) {
    const missing = (cause as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && !isFile(file);
    throw new PluginConfigError(
      missing ? 'E2V_ERR_PLUGIN_NOT_FOUND' : 'E2V_ERR_PLUGIN_LOAD',
      `Plugin "${spec}" (${file}) could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        plugin: spec,
        cause,
      },
    );
  }
  return assertPlugin(exported, spec, file);
}

/** The module file a path spec stands for: the file, or a package folder's entry. */
function resolvePath(spec: string, baseDir: string): string | undefined {
  const path = spec.startsWith('file:') ? fileURLToPath(spec) : resolve(baseDir, spec);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return undefined;
  return stats.isDirectory() ? packageEntry(path, '.') : path;
}

/** True when `path` is an existing file. */
function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}
