/**
 * Start-up checks of a plugin list: unique names, present dependencies, and the setup order
 * (dependencies first, otherwise the order given).
 * @module
 */
import { PluginConfigError } from './errors.js';

/** What ordering needs to know of a plugin. */
export interface Named {
  name: string;
  dependencies?: readonly string[];
}

/**
 * Orders plugins so that each comes after its dependencies; among plugins that are ready at the
 * same time, the one listed first goes first.
 * @param plugins plugins in the order the configuration lists them
 * @returns the same plugins in setup order
 * @throws PluginConfigError `E2V_ERR_PLUGIN_DUPLICATE`, `E2V_ERR_PLUGIN_MISSING_DEPENDENCY`
 *   or `E2V_ERR_PLUGIN_DEPENDENCY_CYCLE`
 */
export function setupOrder<T extends Named>(plugins: readonly T[]): T[] {
  const byName = new Map<string, T>();
  for (const p of plugins) {
    if (byName.has(p.name)) {
      throw new PluginConfigError('E2V_ERR_PLUGIN_DUPLICATE', `Two plugins are named "${p.name}"; plugin names must be unique`, { plugin: p.name });
    }
    byName.set(p.name, p);
  }
  for (const p of plugins) {
    const missing = (p.dependencies ?? []).filter((d) => !byName.has(d));
    if (missing.length > 0) {
      throw new PluginConfigError(
        'E2V_ERR_PLUGIN_MISSING_DEPENDENCY',
        `Plugin "${p.name}" depends on ${missing.map((m) => `"${m}"`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not loaded`,
        { plugin: p.name },
      );
    }
  }
  const done = new Set<string>();
  const ordered: T[] = [];
  let pending = [...plugins];
  while (pending.length > 0) {
    const next = pending.find((p) => (p.dependencies ?? []).every((d) => done.has(d)));
    if (next === undefined) {
      const names = pending.map((p) => `"${p.name}"`).join(', ');
      throw new PluginConfigError('E2V_ERR_PLUGIN_DEPENDENCY_CYCLE', `The dependencies of plugins ${names} form a cycle`, { plugin: pending[0]!.name });
    }
    ordered.push(next);
    done.add(next.name);
    pending = pending.filter((p) => p !== next);
  }
  return ordered;
}
