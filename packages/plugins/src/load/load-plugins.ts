/**
 * `loadPlugins`: the config file plus `--plugin` specs -> a running {@link PluginHost}.
 * @module
 */
import { dirname, resolve } from 'node:path';
import type { Logger } from '@e2v/engine';
import { assertPlugin } from '../define.js';
import { createPluginHost, type PluginHost } from '../host.js';
import type { PluginEntry } from '../types.js';
import { findConfigFile, readConfigFile } from './config-file.js';
import { loadPluginSpec, parsePluginSpec } from './spec.js';

/** Options of {@link loadPlugins}. */
export interface LoadPluginsOptions {
  /** Where to look for a config file, and the base of `--plugin` paths. Default: `process.cwd()`. */
  cwd?: string;
  /** A config file to read (relative to `cwd`); undefined: look for one in `cwd`; false: none. */
  configFile?: string | false;
  /** `--plugin` specs (`spec` or `spec=<JSON options>`), loaded after the config file's plugins. */
  specs?: readonly string[];
  /** Each plugin's state folder is `<stateDir>/<name>/` (`stateDir` relative to `cwd`). */
  stateDir: string;
  /** The host's logger. Default: silent. */
  logger?: Logger;
  /** Per-hook timeout. Default 5000 ms. */
  hookTimeoutMs?: number;
  /**
   * Run each plugin on a worker thread of its own (default true): the plugin's code is loaded
   * there only, so nothing it does can stop this process. False loads and runs plugins in this
   * thread (debugging).
   */
  isolate?: boolean;
  /** Heap limit of each plugin's thread in MB (see `PluginHostOptions.memoryLimitMb`). */
  memoryLimitMb?: number;
}

/**
 * The plugins a config file and `--plugin` specs name, without setting them up: where to load
 * each from (`isolate`, the default: nothing is imported here) or the loaded plugin objects.
 * @param options where to look and what to load
 * @returns the entries in configuration order (config file first, then specs)
 * @throws PluginConfigError (`E2V_ERR_PLUGIN_CONFIG_FILE`, `_OPTIONS`; with `isolate: false` also
 *   `_NOT_FOUND`, `_LOAD`, `_INVALID`, which the plugin threads report otherwise)
 */
export async function loadPluginEntries(options: Omit<LoadPluginsOptions, 'stateDir' | 'logger' | 'hookTimeoutMs' | 'memoryLimitMb'>): Promise<PluginEntry[]> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const isolate = options.isolate ?? true;
  const entries: PluginEntry[] = [];
  const configFile = options.configFile === undefined ? findConfigFile(cwd) : options.configFile === false ? undefined : resolve(cwd, options.configFile);
  if (configFile !== undefined) {
    const baseDir = dirname(configFile);
    for (const [index, { target, options: pluginOptions }] of (await readConfigFile(configFile)).entries()) {
      if (isolate) entries.push({ source: { kind: 'config', file: configFile, index }, options: pluginOptions, baseDir });
      else
        entries.push({
          plugin: typeof target === 'string' ? await loadPluginSpec(target, baseDir) : assertPlugin(target, 'a plugin object', configFile),
          options: pluginOptions,
          baseDir,
        });
    }
  }
  for (const text of options.specs ?? []) {
    const { spec, options: pluginOptions } = parsePluginSpec(text);
    if (isolate) entries.push({ source: { kind: 'spec', spec, baseDir: cwd }, options: pluginOptions, baseDir: cwd });
    else entries.push({ plugin: await loadPluginSpec(spec, cwd), options: pluginOptions, baseDir: cwd });
  }
  return entries;
}

/**
 * Loads the plugins of a config file and `--plugin` specs, and sets them up.
 * @param options where to look, what to load, and the host settings
 * @returns the running host
 * @throws PluginConfigError for any loading, validation or setup problem (see the codes)
 * @example
 * const host = await loadPlugins({ cwd: process.cwd(), specs: ['sink={"jsonl":"out.jsonl"}'], stateDir: '.e2v/plugins' });
 */
export async function loadPlugins(options: LoadPluginsOptions): Promise<PluginHost> {
  const cwd = resolve(options.cwd ?? process.cwd());
  return createPluginHost({
    plugins: await loadPluginEntries({ ...options, cwd }),
    stateDir: resolve(cwd, options.stateDir),
    cwd,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.hookTimeoutMs === undefined ? {} : { hookTimeoutMs: options.hookTimeoutMs }),
    ...(options.memoryLimitMb === undefined ? {} : { memoryLimitMb: options.memoryLimitMb }),
  });
}
