/**
 * The plugin host: validates and sets up plugins, runs their hooks with isolation (plugins
 * loaded from files and packages each on a worker thread of their own, restarted when they
 * crash; timeouts; output caps; failures recorded in the result), and closes them in reverse order.
 * @module
 */
import { join, resolve } from 'node:path';
import type { Result } from '@e2v/core';
import { silentLogger, type Logger } from '@e2v/engine';
import { PluginError, type HookName } from './errors.js';
import { frozenCopy } from './freeze.js';
import { ThreadRunner } from './isolation/thread-runner.js';
import { setupOrder } from './order.js';
import type { HookOutcome } from './run-hook.js';
import { DEFAULT_MAX_OUTPUT_BYTES, InProcessRunner, type AnalysisHook, type PluginRunner, type PluginStatus } from './runner.js';
import type { AnalysisContext, BeforeAnalyzeOutcome, PluginEntry, PluginFailure, PluginOutput, ResultContext, ResultWithPlugins } from './types.js';

/** Default per-hook timeout of a host, in milliseconds. */
export const DEFAULT_HOOK_TIMEOUT_MS = 5000;
/** Default time `close` may take per plugin (the alert plugin waits for pending deliveries). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 60_000;
/** Default heap limit of an isolated plugin's thread, in MB. */
export const DEFAULT_PLUGIN_MEMORY_MB = 256;

/** Options of {@link createPluginHost}. */
export interface PluginHostOptions {
  /** The plugins, in configuration order (setup order follows dependencies, then this order). */
  plugins: readonly PluginEntry[];
  /** Each plugin gets `<stateDir>/<name>/`, created at start-up. */
  stateDir: string;
  /** Default `baseDir` of entries without one. Default: `process.cwd()`. */
  cwd?: string;
  /** The host's logger; each plugin gets a child tagged `{ plugin: name }`. Default: silent. */
  logger?: Logger;
  /** Longest time any one hook call (setup included) may take. Default {@link DEFAULT_HOOK_TIMEOUT_MS}. */
  hookTimeoutMs?: number;
  /** Longest `close` of one plugin. Default {@link DEFAULT_CLOSE_TIMEOUT_MS}. */
  closeTimeoutMs?: number;
  /** Largest JSON one hook may return. Default 1 MiB. */
  maxOutputBytes?: number;
  /**
   * Heap limit of each isolated plugin's thread, in MB, and the most it may keep in buffers
   * between calls (else its thread is restarted). Default {@link DEFAULT_PLUGIN_MEMORY_MB}.
   */
  memoryLimitMb?: number;
}

/** A loaded plugin as the host reports it. */
export interface LoadedPlugin {
  name: string;
  version: string | undefined;
}

/** The host, as the server, CLI and library use it. */
export interface PluginHost {
  /** The plugins in setup order. */
  readonly plugins: readonly LoadedPlugin[];
  /**
   * Runs every `beforeAnalyze` hook in order until one vetoes.
   * @throws PluginError `E2V_ERR_PLUGIN_HOST_CLOSED` after `close()`
   */
  beforeAnalyze(ctx: AnalysisContext): Promise<BeforeAnalyzeOutcome>;
  /**
   * Runs every `onResult` hook in order and returns a copy of `result` with `plugins`:
   * each plugin's output, and `error` for each plugin that failed (here or in `beforeAnalyze`).
   * Never rejects because of a plugin.
   * @throws PluginError `E2V_ERR_PLUGIN_HOST_CLOSED` after `close()`
   */
  onResult(result: Result, ctx: ResultContext): Promise<ResultWithPlugins>;
  /**
   * Runs every `onError` hook in order; their failures are logged.
   * @throws PluginError `E2V_ERR_PLUGIN_HOST_CLOSED` after `close()`
   */
  onError(error: unknown, ctx: AnalysisContext): Promise<void>;
  /** How each plugin is doing (isolation, crashes, restarts), in setup order. */
  status(): PluginStatus[];
  /**
   * Waits for running hooks, then closes the plugins in reverse setup order. Idempotent.
   * @returns what each plugin's `close` returned, when an object (e.g. the alert plugin's
   *   `{ delivered, pending }`), by plugin name
   */
  close(): Promise<Record<string, Record<string, unknown>>>;
}

/**
 * Validates the plugins, parses their options, and sets them up in dependency order. Entries
 * with a `source` are loaded on worker threads of their own (in parallel); plugin objects run in
 * this thread.
 * @param options the plugins and the host settings
 * @returns the running host
 * @throws PluginConfigError (`E2V_ERR_PLUGIN_NOT_FOUND`, `_LOAD`, `_INVALID`, `_DUPLICATE`,
 *   `_MISSING_DEPENDENCY`, `_DEPENDENCY_CYCLE`, `_OPTIONS`, `_SETUP`); nothing is left running when it throws
 */
export async function createPluginHost(options: PluginHostOptions): Promise<PluginHost> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`Expected a positive hookTimeoutMs but received ${timeoutMs}`);
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const memoryLimitMb = options.memoryLimitMb ?? DEFAULT_PLUGIN_MEMORY_MB;
  const cwd = resolve(options.cwd ?? process.cwd());
  const stateDirOf = (name: string): string => join(resolve(options.stateDir), name);
  const loaded = await Promise.allSettled(
    options.plugins.map(async (entry): Promise<PluginRunner> => {
      const baseDir = resolve(entry.baseDir ?? cwd);
      if (entry.plugin !== undefined) {
        const { plugin } = entry;
        return new InProcessRunner(plugin, {
          options: entry.options,
          stateDir: stateDirOf(plugin.name),
          baseDir,
          log: logger.child({ plugin: plugin.name }),
          timeoutMs,
          closeTimeoutMs,
          maxOutputBytes,
        });
      }
      return ThreadRunner.load({
        source: entry.source,
        options: entry.options,
        stateDirOf,
        baseDir,
        logger,
        timeoutMs,
        closeTimeoutMs,
        maxOutputBytes,
        memoryLimitMb,
      });
    }),
  );
  const runners = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = loaded.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const started: PluginRunner[] = [];
  try {
    if (failed !== undefined) throw failed.reason;
    const ordered = setupOrder(runners);
    for (const runner of ordered) await runner.prepare();
    for (const runner of ordered) {
      await runner.start();
      started.push(runner);
      runner.log.debug({ version: runner.version }, 'plugin set up');
    }
  } catch (error) {
    await closeAll(started);
    await Promise.all(runners.filter((r) => !started.includes(r)).map((r) => r.close()));
    throw error;
  }
  return new Host(started);
}

/** Closes set-up plugins in reverse order; failures are logged, never thrown. */
async function closeAll(runners: readonly PluginRunner[]): Promise<Record<string, Record<string, unknown>>> {
  const reports: Record<string, Record<string, unknown>> = {};
  for (const runner of [...runners].reverse()) {
    const outcome = await runner.close();
    if (!outcome.ok) logFailure(runner, outcome.error);
    else if (isPlainObject(outcome.value)) reports[runner.name] = outcome.value;
  }
  return reports;
}

/** Logs a hook failure with plugin and hook names. */
function logFailure(runner: PluginRunner, error: PluginError): void {
  runner.log.error({ hook: error.hook, code: error.code, err: error.cause ?? error }, error.message);
}

/** The failure record of `result.plugins[name].error`. */
function failureOf(error: PluginError, hook: HookName): PluginFailure {
  return { code: error.code, message: error.message, hook };
}

/** A plain (non-array) object. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** The {@link PluginHost} implementation. */
class Host implements PluginHost {
  readonly plugins: readonly LoadedPlugin[];
  readonly #runners: readonly PluginRunner[];
  readonly #running = new Set<Promise<unknown>>();
  #closing: Promise<Record<string, Record<string, unknown>>> | undefined;

  constructor(runners: readonly PluginRunner[]) {
    this.#runners = runners;
    this.plugins = Object.freeze(runners.map((r) => Object.freeze({ name: r.name, version: r.version })));
  }

  beforeAnalyze(ctx: AnalysisContext): Promise<BeforeAnalyzeOutcome> {
    return this.#track(async () => {
      const event = Object.freeze({ id: ctx.id, input: Object.freeze({ ...ctx.input }), options: Object.freeze({ ...ctx.options }) });
      const outcome: BeforeAnalyzeOutcome = { annotations: {}, failures: {} };
      for (const runner of this.#runners) {
        if (!runner.has('beforeAnalyze')) continue;
        const name = runner.name;
        const run = await this.#run(runner, 'beforeAnalyze', event);
        const value: unknown = run.ok ? run.value : undefined;
        const veto = vetoReason(run);
        if (veto !== undefined) {
          outcome.vetoed = { plugin: name, reason: veto };
          runner.log.info({ hook: 'beforeAnalyze', id: ctx.id, reason: veto }, 'analysis vetoed');
          break;
        }
        if (!run.ok) {
          outcome.failures[name] = failureOf(run.error, 'beforeAnalyze');
        } else if (isPlainObject(value) && 'annotate' in value) {
          outcome.annotations[name] = value.annotate;
        } else if (value !== undefined) {
          const error = badReturn(name, 'beforeAnalyze', 'expected { veto }, { annotate } or nothing');
          logFailure(runner, error);
          outcome.failures[name] = failureOf(error, 'beforeAnalyze');
        }
      }
      return outcome;
    });
  }

  onResult(result: Result, ctx: ResultContext): Promise<ResultWithPlugins> {
    return this.#track(async () => {
      const base = frozenCopy({ ...result, plugins: undefined });
      const plugins: Record<string, PluginOutput> = {};
      const annotations = Object.freeze({ ...ctx.annotations });
      const embedding = ctx.embedding ?? null;
      const input = Object.freeze({ ...ctx.input });
      const options = Object.freeze({ ...ctx.options });
      for (const runner of this.#runners) {
        const name = runner.name;
        let output: Record<string, unknown> | undefined;
        let failure: PluginFailure | undefined = ctx.failures?.[name];
        if (runner.has('onResult')) {
          const view = Object.freeze({ ...base, plugins: Object.freeze({ ...plugins }) });
          const event = Object.freeze({ id: ctx.id, input, options, result: view, embedding, annotations });
          const run = await this.#run(runner, 'onResult', event);
          if (!run.ok) failure ??= failureOf(run.error, 'onResult');
          else if (isPlainObject(run.value)) output = run.value;
          else if (run.value !== undefined) {
            const error = badReturn(name, 'onResult', 'expected an object or nothing');
            logFailure(runner, error);
            failure ??= failureOf(error, 'onResult');
          }
        }
        if (output !== undefined || failure !== undefined) {
          plugins[name] = frozenCopy({ ...output, ...(failure === undefined ? {} : { error: failure }) });
        }
      }
      return { ...structuredClone(result), plugins: structuredClone(plugins) };
    });
  }

  onError(error: unknown, ctx: AnalysisContext): Promise<void> {
    return this.#track(async () => {
      const event = Object.freeze({ id: ctx.id, input: Object.freeze({ ...ctx.input }), options: Object.freeze({ ...ctx.options }), error: errorView(error) });
      for (const runner of this.#runners) {
        if (runner.has('onError')) await this.#run(runner, 'onError', event);
      }
    });
  }

  status(): PluginStatus[] {
    return this.#runners.map((r) => r.status());
  }

  close(): Promise<Record<string, Record<string, unknown>>> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#running]);
      return closeAll(this.#runners);
    })();
    return this.#closing;
  }

  /** Runs `work` unless the host is closed, and lets `close()` wait for it. */
  #track<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) {
      return Promise.reject(new PluginError('E2V_ERR_PLUGIN_HOST_CLOSED', 'The plugin host is closed'));
    }
    const promise = work();
    this.#running.add(promise);
    const forget = (): void => {
      this.#running.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Runs one hook; logs a failure (a veto is not one). */
  async #run(runner: PluginRunner, hook: AnalysisHook, event: unknown): Promise<HookOutcome<unknown>> {
    const outcome = await runner.call(hook, event);
    if (!outcome.ok && !isVeto(outcome.error.cause)) logFailure(runner, outcome.error);
    return outcome;
  }
}

/** What `onError` hooks see of an error: its code, name and message (a copy crosses threads). */
function errorView(error: unknown): { name: string; code?: string; message: string } {
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
}

/** A `E2V_ERR_PLUGIN_BAD_RETURN` error. */
function badReturn(plugin: string, hook: HookName, what: string): PluginError {
  return new PluginError('E2V_ERR_PLUGIN_BAD_RETURN', `Plugin ${plugin}: ${hook} returned an unusable value: ${what}`, { plugin, hook });
}

/** The reason of a veto, returned (`{ veto }`) or thrown (PluginVetoError); undefined when there is none. */
function vetoReason(run: HookOutcome<unknown>): string | undefined {
  if (!run.ok) return isVeto(run.error.cause) ? run.error.cause.reason : undefined;
  return isPlainObject(run.value) && typeof run.value.veto === 'string' ? run.value.veto : undefined;
}

/** True for a PluginVetoError, also one from another copy of this package (checked by code). */
function isVeto(value: unknown): value is { code: 'E2V_ERR_PLUGIN_VETO'; reason: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { code?: unknown }).code === 'E2V_ERR_PLUGIN_VETO' &&
    typeof (value as { reason?: unknown }).reason === 'string'
  );
}
