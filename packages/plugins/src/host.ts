/**
 * The plugin host: validates and sets up plugins, runs their hooks with isolation (timeouts,
 * caught failures recorded in the result), and closes them in reverse order.
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { silentLogger, type Logger, type Result } from '@e2v/engine';
import { PluginConfigError, PluginError, type HookName } from './errors.js';
import { deepFreeze, frozenCopy } from './freeze.js';
import { setupOrder } from './order.js';
import { runHook, type HookOutcome } from './run-hook.js';
import type {
  AnalysisContext,
  AnyPlugin,
  BeforeAnalyzeOutcome,
  HookContext,
  PluginEntry,
  PluginFailure,
  PluginOutput,
  ResultContext,
  ResultWithPlugins,
} from './types.js';

/** Default per-hook timeout of a host, in milliseconds. */
export const DEFAULT_HOOK_TIMEOUT_MS = 5000;

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
  /** Longest time any one hook call (setup and close included) may take. Default {@link DEFAULT_HOOK_TIMEOUT_MS}. */
  hookTimeoutMs?: number;
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
  /** Waits for running hooks, then closes the plugins in reverse setup order. Idempotent. */
  close(): Promise<void>;
}

/** The context of a plugin whose option and state types the host does not know. */
type AnyHookContext = HookContext<any, any>;

/** One set-up plugin. */
interface Instance {
  plugin: AnyPlugin;
  ctx: AnyHookContext;
}

/**
 * Validates the plugins, parses their options, and sets them up in dependency order.
 * @param options the plugins and the host settings
 * @returns the running host
 * @throws PluginConfigError (`E2V_ERR_PLUGIN_DUPLICATE`, `_MISSING_DEPENDENCY`,
 *   `_DEPENDENCY_CYCLE`, `_OPTIONS`, `_SETUP`); nothing is left set up when it throws
 */
export async function createPluginHost(options: PluginHostOptions): Promise<PluginHost> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`Expected a positive hookTimeoutMs but received ${timeoutMs}`);
  const cwd = resolve(options.cwd ?? process.cwd());
  const entries = setupOrder(options.plugins.map((e) => ({ ...e, name: e.plugin.name, dependencies: e.plugin.dependencies })));

  const prepared = entries.map((entry) => {
    const { plugin } = entry;
    // `any`: the options have the plugin's own type, unknown to the host.
    let parsed: any = entry.options;
    if (plugin.parseOptions !== undefined) {
      try {
        parsed = plugin.parseOptions(entry.options);
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new PluginConfigError('E2V_ERR_PLUGIN_OPTIONS', `Invalid options for plugin "${plugin.name}": ${message}`, { plugin: plugin.name, cause });
      }
    }
    const ctx: AnyHookContext & { state: unknown } = {
      name: plugin.name,
      log: logger.child({ plugin: plugin.name }),
      options: deepFreeze(parsed),
      stateDir: join(resolve(options.stateDir), plugin.name),
      baseDir: resolve(entry.baseDir ?? cwd),
      state: undefined,
    };
    return { plugin, ctx };
  });

  const instances: Instance[] = [];
  for (const instance of prepared) {
    const { plugin, ctx } = instance;
    const outcome = await runHook(plugin.name, 'setup', timeoutMs, async () => {
      await mkdir(ctx.stateDir, { recursive: true });
      const { state: _unset, ...setupCtx } = ctx;
      return plugin.setup?.(setupCtx, ctx.options);
    });
    if (!outcome.ok) {
      await closeAll(instances, timeoutMs);
      throw new PluginConfigError('E2V_ERR_PLUGIN_SETUP', outcome.error.message, { plugin: plugin.name, cause: outcome.error.cause ?? outcome.error });
    }
    ctx.state = outcome.value;
    instances.push(instance);
    ctx.log.debug({ version: plugin.version }, 'plugin set up');
  }
  return new Host(instances, timeoutMs);
}

/** Closes set-up plugins in reverse order; failures are logged, never thrown. */
async function closeAll(instances: readonly Instance[], timeoutMs: number): Promise<void> {
  for (const { plugin, ctx } of [...instances].reverse()) {
    if (plugin.close === undefined) continue;
    const outcome = await runHook(plugin.name, 'close', timeoutMs, () => plugin.close?.(ctx));
    if (!outcome.ok) logFailure(ctx, outcome.error);
  }
}

/** Logs a hook failure with plugin and hook names. */
function logFailure(ctx: AnyHookContext, error: PluginError): void {
  ctx.log.error({ hook: error.hook, code: error.code, err: error.cause ?? error }, error.message);
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
  readonly #instances: readonly Instance[];
  readonly #timeoutMs: number;
  readonly #running = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(instances: readonly Instance[], timeoutMs: number) {
    this.#instances = instances;
    this.#timeoutMs = timeoutMs;
    this.plugins = Object.freeze(instances.map(({ plugin }) => Object.freeze({ name: plugin.name, version: plugin.version })));
  }

  beforeAnalyze(ctx: AnalysisContext): Promise<BeforeAnalyzeOutcome> {
    return this.#track(async () => {
      const event = Object.freeze({ id: ctx.id, input: Object.freeze({ ...ctx.input }), options: Object.freeze({ ...ctx.options }) });
      const outcome: BeforeAnalyzeOutcome = { annotations: {}, failures: {} };
      for (const instance of this.#instances) {
        const hook = instance.plugin.hooks?.beforeAnalyze;
        if (hook === undefined) continue;
        const name = instance.plugin.name;
        const run = await this.#run(instance, 'beforeAnalyze', () => hook(event, instance.ctx));
        const value: unknown = run.ok ? run.value : undefined;
        const veto = vetoReason(run);
        if (veto !== undefined) {
          outcome.vetoed = { plugin: name, reason: veto };
          instance.ctx.log.info({ hook: 'beforeAnalyze', id: ctx.id, reason: veto }, 'analysis vetoed');
          break;
        }
        if (!run.ok) {
          outcome.failures[name] = failureOf(run.error, 'beforeAnalyze');
        } else if (isPlainObject(value) && 'annotate' in value) {
          const copy = this.#copy(instance, 'beforeAnalyze', value.annotate);
          if (copy.ok) outcome.annotations[name] = copy.value;
          else outcome.failures[name] = failureOf(copy.error, 'beforeAnalyze');
        } else if (value !== undefined) {
          const error = badReturn(name, 'beforeAnalyze', 'expected { veto }, { annotate } or nothing');
          logFailure(instance.ctx, error);
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
      for (const instance of this.#instances) {
        const name = instance.plugin.name;
        const before = ctx.failures?.[name];
        const hook = instance.plugin.hooks?.onResult;
        let output: Record<string, unknown> | undefined;
        let failure: PluginFailure | undefined = before;
        if (hook !== undefined) {
          const view = Object.freeze({ ...base, plugins: Object.freeze({ ...plugins }) });
          const event = Object.freeze({ id: ctx.id, input, options, result: view, embedding, annotations });
          const run = await this.#run(instance, 'onResult', () => hook(event, instance.ctx));
          if (!run.ok) failure ??= failureOf(run.error, 'onResult');
          else if (isPlainObject(run.value)) {
            const copy = this.#copy(instance, 'onResult', run.value);
            if (copy.ok) output = copy.value;
            else failure ??= failureOf(copy.error, 'onResult');
          } else if (run.value !== undefined) {
            const error = badReturn(name, 'onResult', 'expected an object or nothing');
            logFailure(instance.ctx, error);
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
      const event = Object.freeze({ id: ctx.id, input: Object.freeze({ ...ctx.input }), options: Object.freeze({ ...ctx.options }), error });
      for (const instance of this.#instances) {
        const hook = instance.plugin.hooks?.onError;
        if (hook !== undefined) await this.#run(instance, 'onError', () => hook(event, instance.ctx));
      }
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#running]);
      await closeAll(this.#instances, this.#timeoutMs);
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

  /** Runs one hook with the timeout; logs a failure (a veto is not one). */
  async #run<T>(instance: Instance, hook: HookName, call: () => T | Promise<T>): Promise<HookOutcome<Awaited<T>>> {
    const outcome = await runHook(instance.plugin.name, hook, this.#timeoutMs, call);
    if (!outcome.ok && !isVeto(outcome.error.cause)) logFailure(instance.ctx, outcome.error);
    return outcome;
  }

  /** A frozen copy of what a hook returned; an uncloneable value is a bad return. */
  #copy<T>(instance: Instance, hook: HookName, value: T): HookOutcome<T> {
    try {
      return { ok: true, value: frozenCopy(value) };
    } catch (cause) {
      const error = badReturn(instance.plugin.name, hook, `the value cannot be copied (${cause instanceof Error ? cause.message : String(cause)})`);
      logFailure(instance.ctx, error);
      return { ok: false, error };
    }
  }
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
