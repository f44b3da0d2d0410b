/**
 * `definePlugin` (typing only, like rollup's and hono's `create*` helpers) and the shape check
 * every plugin goes through before a host accepts it.
 * @module
 */
import { describe } from './check.js';
import { PluginConfigError } from './errors.js';
import type { AnyPlugin, Plugin } from './types.js';

/** What a plugin name may look like: it is also a folder name under the host's `stateDir`. */
export const PLUGIN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

const HOOK_NAMES = ['beforeAnalyze', 'onResult', 'onError'] as const;
const PLUGIN_KEYS = new Set(['name', 'version', 'dependencies', 'parseOptions', 'setup', 'hooks', 'close']);

/**
 * Declares a plugin. Returns its argument unchanged; it exists so that TypeScript infers the
 * options type `O` (from `parseOptions`) and the state type `S` (from `setup`) and checks every
 * hook against them.
 * @param plugin the plugin definition
 * @returns the same definition
 * @example
 * export default definePlugin({
 *   name: 'low-confidence',
 *   parseOptions: (raw) => ({ threshold: Number((raw as { threshold?: number })?.threshold ?? 0.5) }),
 *   hooks: {
 *     onResult: ({ result }, { options }) => ({ low: result.confidence < options.threshold }),
 *   },
 * });
 */
export function definePlugin<O = unknown, S = void>(plugin: Plugin<O, S>): Plugin<O, S> {
  return plugin;
}

/**
 * Checks that `value` is a plugin definition.
 * @param value what a module exported (or a config listed)
 * @param source where it came from (a spec), the error's `plugin`
 * @param file the module file, when there is one, for the message
 * @returns the value, typed
 * @throws PluginConfigError `E2V_ERR_PLUGIN_INVALID` naming the first problem found
 */
export function assertPlugin(value: unknown, source: string, file?: string): AnyPlugin {
  const fail = (what: string): never => {
    const where = file === undefined ? source : `${source} (${file})`;
    throw new PluginConfigError('E2V_ERR_PLUGIN_INVALID', `${where} is not a valid e2v plugin: ${what}`, { plugin: source });
  };
  if (typeof value !== 'object' || value === null) return fail(`expected a plugin object but got ${describe(value)}`);
  const p = value as Record<string, unknown>;
  for (const key of Object.keys(p)) if (!PLUGIN_KEYS.has(key)) fail(`unknown property "${key}"`);
  if (typeof p.name !== 'string' || !PLUGIN_NAME_PATTERN.test(p.name)) {
    fail(`"name" must match ${String(PLUGIN_NAME_PATTERN)} but is ${describe(p.name)}`);
  }
  if (p.version !== undefined && typeof p.version !== 'string') fail('"version" must be a string');
  if (p.dependencies !== undefined && !(Array.isArray(p.dependencies) && p.dependencies.every((d) => typeof d === 'string'))) {
    fail('"dependencies" must be an array of plugin names');
  }
  for (const fn of ['parseOptions', 'setup', 'close'] as const) {
    if (p[fn] !== undefined && typeof p[fn] !== 'function') fail(`"${fn}" must be a function`);
  }
  if (p.hooks !== undefined) {
    if (typeof p.hooks !== 'object' || p.hooks === null || Array.isArray(p.hooks)) return fail('"hooks" must be an object');
    const hooks = p.hooks as Record<string, unknown>;
    for (const [key, hook] of Object.entries(hooks)) {
      if (!(HOOK_NAMES as readonly string[]).includes(key)) fail(`unknown hook "${key}" (hooks are ${HOOK_NAMES.join(', ')})`);
      if (typeof hook !== 'function') fail(`hook "${key}" must be a function`);
    }
  }
  return value as AnyPlugin;
}
