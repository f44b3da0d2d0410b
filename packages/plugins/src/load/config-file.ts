/**
 * The plugin configuration file: `e2v.config.json`, `e2v.config.js`, `e2v.config.mjs` or
 * `e2v.config.ts` in a folder, whose `plugins` array lists the plugins to load. This module
 * reads only `plugins`; other top-level keys belong to other parts of e2v.
 *
 * An entry is a spec string (`"sink"`, `"./my-plugin.js"`, `"e2v-plugin-foo"`) or a pair
 * `[spec, options]`. In .js / .ts files a plugin object may stand where a spec does.
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { describe } from '../check.js';
import { PluginConfigError } from '../errors.js';
import { importDefault } from './import-module.js';

/** The names looked for, in this order; more than one in the same folder is an error. */
export const CONFIG_FILE_NAMES = ['e2v.config.json', 'e2v.config.js', 'e2v.config.mjs', 'e2v.config.ts'] as const;

/** One entry of the `plugins` array: what to load (spec or plugin object) and its raw options. */
export interface ConfigEntry {
  target: string | object;
  options?: unknown;
}

/**
 * Finds the config file of a folder.
 * @param dir the folder
 * @returns its path, or undefined when there is none
 * @throws PluginConfigError `E2V_ERR_PLUGIN_CONFIG_FILE` when there is more than one
 */
export function findConfigFile(dir: string): string | undefined {
  const found = CONFIG_FILE_NAMES.map((name) => join(dir, name)).filter((path) => existsSync(path));
  if (found.length > 1) {
    throw new PluginConfigError('E2V_ERR_PLUGIN_CONFIG_FILE', `More than one e2v config file in ${dir}: ${found.join(', ')}; keep one`);
  }
  return found[0];
}

/**
 * Reads a config file's plugin entries.
 * @param path the file (.json is parsed; .js, .mjs, .ts are imported and their default export used)
 * @returns the entries, in file order
 * @throws PluginConfigError `E2V_ERR_PLUGIN_CONFIG_FILE` naming the file and the problem
 */
export async function readConfigFile(path: string): Promise<ConfigEntry[]> {
  const fail = (what: string, cause?: unknown): never => {
    throw new PluginConfigError('E2V_ERR_PLUGIN_CONFIG_FILE', `Config file ${path}: ${what}`, cause === undefined ? {} : { cause });
  };
  const isJson = extname(path) === '.json';
  let config: unknown;
  try {
    config = isJson ? JSON.parse(await readFile(path, 'utf8')) : await importDefault(path);
  } catch (cause) {
    fail(`cannot be ${isJson ? 'read' : 'loaded'}: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return fail(`expected an object but found ${describe(config)}`);
  const plugins = (config as { plugins?: unknown }).plugins;
  if (plugins === undefined) return [];
  if (!Array.isArray(plugins)) return fail(`"plugins" must be an array but is ${describe(plugins)}`);
  return plugins.map((entry: unknown, i): ConfigEntry => {
    const target = Array.isArray(entry) ? entry[0] : entry;
    const valid = typeof target === 'string' ? target !== '' : !isJson && typeof target === 'object' && target !== null;
    if (!valid || (Array.isArray(entry) && entry.length !== 2)) {
      fail(
        `plugins[${i}] must be a spec string or a [spec, options] pair${isJson ? '' : ' (a plugin object may stand for the spec)'}, but is ${describe(entry)}`,
      );
    }
    return Array.isArray(entry) ? { target: target as string | object, options: entry[1] } : { target: target as string | object };
  });
}
