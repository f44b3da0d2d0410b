/**
 * The plugin flags of `e2v serve` and `e2v analyze`: `--plugin SPEC` (repeatable; `alert`,
 * `classifier`, `sink`, `./file.js`, a package name, each optionally `=<JSON options>`),
 * `--config FILE` (default: `e2v.config.json|.js|.ts` in the working folder, if any),
 * `--no-config`, `--plugin-state DIR` (default `E2V_STATE_DIR`, else `.e2v/plugins`),
 * `--plugin-timeout-ms N` (each hook's deadline, default 5000) and `--plugin-memory-mb N` (each
 * plugin thread's heap limit, and the most it may keep in buffers, default 256).
 * @module
 */
import type { LogFields, Logger } from '@e2v/engine';
import { findConfigFile, loadPlugins, type PluginHost } from '@e2v/plugins';
import { integerFlag } from './flags.js';

/** parseArgs options for the plugin flags. */
export const PLUGIN_FLAGS = {
  plugin: { type: 'string', multiple: true },
  config: { type: 'string' },
  'no-config': { type: 'boolean', default: false },
  'plugin-state': { type: 'string' },
  'plugin-timeout-ms': { type: 'string' },
  'plugin-memory-mb': { type: 'string' },
} as const;

/** The parsed plugin flags. */
export interface PluginFlagValues {
  plugin?: string[] | undefined;
  config?: string | undefined;
  'no-config'?: boolean | undefined;
  'plugin-state'?: string | undefined;
  'plugin-timeout-ms'?: string | undefined;
  'plugin-memory-mb'?: string | undefined;
}

/**
 * Loads and sets up the plugins the flags and the config file name, or returns undefined when
 * there are none.
 * @param values the parsed flags
 * @param logger where the plugins log
 * @throws PluginConfigError for a bad configuration (the CLI prints its one line, exit 1)
 * @throws UsageError for a bad `--plugin-timeout-ms` or `--plugin-memory-mb` (exit 2)
 */
export async function loadCliPlugins(values: PluginFlagValues, logger: Logger): Promise<PluginHost | undefined> {
  const specs = values.plugin ?? [];
  const configFile = values['no-config'] === true ? false : values.config;
  const hasConfig = configFile === undefined ? findConfigFile(process.cwd()) !== undefined : configFile !== false;
  const hookTimeoutMs = integerFlag(values['plugin-timeout-ms'], '--plugin-timeout-ms', 1, 3_600_000);
  const memoryLimitMb = integerFlag(values['plugin-memory-mb'], '--plugin-memory-mb', 16, 65_536);
  if (specs.length === 0 && !hasConfig) return undefined;
  return loadPlugins({
    ...(hookTimeoutMs === undefined ? {} : { hookTimeoutMs }),
    ...(memoryLimitMb === undefined ? {} : { memoryLimitMb }),
    cwd: process.cwd(),
    ...(configFile === undefined ? {} : { configFile }),
    specs,
    stateDir: values['plugin-state'] ?? process.env.E2V_STATE_DIR ?? '.e2v/plugins',
    logger,
  });
}

/** Which of a {@link lineLogger}'s levels are printed besides warnings and errors (changeable). */
export interface LineLevels {
  info: boolean;
}

/**
 * A Logger that prints warnings and errors as one plain line each (`e2v analyze` keeps stderr
 * readable next to its progress bar) and drops the rest, unless `levels.info` is set (the CLI
 * sets it while plugins close, so their progress, e.g. alerts being delivered, shows).
 * @param write prints one line
 * @param levels shown levels, shared with every child
 * @param bindings fields of the child loggers (`plugin` names the plugin in each line)
 */
export function lineLogger(write: (line: string) => void, levels: LineLevels = { info: false }, bindings: LogFields = {}): Logger {
  const tag = typeof bindings.plugin === 'string' ? `plugin ${bindings.plugin}: ` : '';
  const line =
    (level: string) =>
    (fields: LogFields, message: string): void => {
      const detail = typeof fields.err === 'object' && fields.err !== null ? ` (${String((fields.err as Error).message ?? fields.err)})` : '';
      const counts = ['pending', 'delivered'].filter((k) => typeof fields[k] === 'number').map((k) => `${k} ${String(fields[k])}`);
      write(`${level}: ${tag}${message}${counts.length > 0 ? ` (${counts.join(', ')})` : ''}${detail}`);
    };
  return {
    debug: () => undefined,
    info: (fields, message) => {
      if (levels.info) line('info')(fields, message);
    },
    warn: line('warning'),
    error: line('error'),
    child: (more) => lineLogger(write, levels, { ...bindings, ...more }),
  };
}

/**
 * The reports plugins gave when they closed (e.g. the alert plugin's `{ delivered, pending }`),
 * one line each, for the end of a batch or a server stop.
 */
export function formatPluginReports(reports: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(reports).map(([name, report]) => {
    const parts = Object.entries(report).map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
    return `plugin ${name}: ${parts.join(', ')}`;
  });
}
