/**
 * How the host reaches one plugin: a {@link PluginRunner} sets it up, calls its hooks and closes
 * it. The in-process runner (this module) calls a plugin object directly, guarded by timeouts;
 * the thread runner (isolation/thread-runner.ts) keeps the plugin on a worker thread of its own,
 * so nothing it does can stop the process. Both return copies of what hooks return, within
 * {@link DEFAULT_MAX_OUTPUT_BYTES}.
 * @module
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from '@e2v/engine';
import { PluginConfigError, PluginError, type HookName } from './errors.js';
import { deepFreeze } from './freeze.js';
import { runHook, type HookOutcome } from './run-hook.js';
import type { AnyPlugin, HookContext, PluginContext } from './types.js';

/** The hooks a runner calls per analysis. */
export type AnalysisHook = 'beforeAnalyze' | 'onResult' | 'onError';

/** Largest JSON a hook may return, by default (1 MiB): a plugin's output goes into every result. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** How a plugin is doing, for `/api/v1/health` and logs. */
export interface PluginStatus {
  name: string;
  /** True when the plugin runs on a worker thread of its own. */
  isolated: boolean;
  /** `running`; `restarting` after a crash, until the new thread is set up; `closed`. */
  state: 'running' | 'restarting' | 'closed';
  /** Crashes of its thread so far (uncaught errors, unhandled rejections, memory limit, exit). */
  crashes: number;
  /** The last crash, if any. */
  lastCrash?: { code: string; message: string; at: string };
}

/** What the host needs of a plugin, wherever it runs. */
export interface PluginRunner {
  readonly name: string;
  readonly version: string | undefined;
  /** Names of plugins to set up first. */
  readonly dependencies: readonly string[];
  /** Logger tagged with the plugin's name. */
  readonly log: Logger;
  /** Whether the plugin implements `hook`. */
  has(hook: AnalysisHook): boolean;
  /**
   * Checks the options with the plugin's `parseOptions` (the host does this for every plugin
   * before any `setup` runs).
   * @throws PluginConfigError `E2V_ERR_PLUGIN_OPTIONS`
   */
  prepare(): Promise<void>;
  /**
   * Runs `setup`.
   * @throws PluginConfigError `E2V_ERR_PLUGIN_SETUP`
   */
  start(): Promise<void>;
  /** Calls a hook with a (frozen) event; the value is a copy, never larger than the output cap. */
  call(hook: AnalysisHook, event: unknown): Promise<HookOutcome<unknown>>;
  /** Runs `close`; its value (e.g. a delivery report) is returned as the outcome. */
  close(): Promise<HookOutcome<unknown>>;
  status(): PluginStatus;
}

/**
 * A JSON-able, deep-frozen copy of a hook's return value, at most `maxBytes` of JSON.
 * @throws PluginError `E2V_ERR_PLUGIN_BAD_RETURN` (not JSON-able) or `E2V_ERR_PLUGIN_OUTPUT_TOO_LARGE`
 */
export function copyOutput(plugin: string, hook: HookName, value: unknown, maxBytes: number): unknown {
  if (value === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new PluginError(
      'E2V_ERR_PLUGIN_BAD_RETURN',
      `Plugin ${plugin}: ${hook} returned an unusable value: it is not JSON (${cause instanceof Error ? cause.message : String(cause)})`,
      { plugin, hook },
    );
  }
  if (json === undefined) return undefined;
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) {
    throw new PluginError('E2V_ERR_PLUGIN_OUTPUT_TOO_LARGE', `Plugin ${plugin}: ${hook} returned ${bytes} bytes of JSON; the limit is ${maxBytes}`, {
      plugin,
      hook,
    });
  }
  return deepFreeze(JSON.parse(json) as unknown);
}

/** Settings of an {@link InProcessRunner}. */
export interface InProcessSettings {
  /** Raw options (the plugin's `parseOptions` checks them). */
  options: unknown;
  stateDir: string;
  baseDir: string;
  log: Logger;
  timeoutMs: number;
  /** Longest `close` (it may wait for pending deliveries). */
  closeTimeoutMs: number;
  maxOutputBytes: number;
}

/**
 * Runs a plugin object in this thread: hooks are bounded by the timeout and their failures
 * become values, but a plugin that throws asynchronously, blocks or exhausts memory affects
 * the process. The library's choice for plugin objects; files and packages run on threads.
 */
export class InProcessRunner implements PluginRunner {
  readonly name: string;
  readonly version: string | undefined;
  readonly dependencies: readonly string[];
  readonly log: Logger;
  #ctx: (HookContext<unknown, unknown> & { state: unknown }) | undefined;
  #options: unknown;
  #closed = false;

  constructor(
    private readonly plugin: AnyPlugin,
    private readonly settings: InProcessSettings,
  ) {
    this.name = plugin.name;
    this.version = plugin.version;
    this.dependencies = plugin.dependencies ?? [];
    this.log = settings.log;
  }

  has(hook: AnalysisHook): boolean {
    return this.plugin.hooks?.[hook] !== undefined;
  }

  async prepare(): Promise<void> {
    const { plugin, settings } = this;
    this.#options = settings.options;
    if (plugin.parseOptions === undefined) return;
    try {
      this.#options = plugin.parseOptions(settings.options);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new PluginConfigError('E2V_ERR_PLUGIN_OPTIONS', `Invalid options for plugin "${plugin.name}": ${message}`, { plugin: plugin.name, cause });
    }
  }

  async start(): Promise<void> {
    const { plugin, settings } = this;
    const base: PluginContext<unknown> = {
      name: plugin.name,
      log: settings.log,
      options: deepFreeze(this.#options) as Readonly<unknown>,
      stateDir: settings.stateDir,
      baseDir: settings.baseDir,
    };
    const outcome = await runHook(plugin.name, 'setup', settings.timeoutMs, async () => {
      await mkdir(settings.stateDir, { recursive: true });
      return plugin.setup?.(base, base.options);
    });
    if (!outcome.ok)
      throw new PluginConfigError('E2V_ERR_PLUGIN_SETUP', outcome.error.message, { plugin: plugin.name, cause: outcome.error.cause ?? outcome.error });
    this.#ctx = { ...base, state: outcome.value };
  }

  async call(hook: AnalysisHook, event: unknown): Promise<HookOutcome<unknown>> {
    const fn = this.plugin.hooks?.[hook] as ((e: unknown, c: unknown) => unknown) | undefined;
    if (fn === undefined || this.#ctx === undefined) return { ok: true, value: undefined };
    const ctx = this.#ctx;
    const outcome = await runHook(this.name, hook, this.settings.timeoutMs, () => fn(event, ctx));
    if (!outcome.ok) return outcome;
    try {
      return { ok: true, value: copyOutput(this.name, hook, outcome.value, this.settings.maxOutputBytes) };
    } catch (error) {
      return { ok: false, error: error as PluginError };
    }
  }

  async close(): Promise<HookOutcome<unknown>> {
    if (this.#closed || this.#ctx === undefined) return { ok: true, value: undefined };
    this.#closed = true;
    const ctx = this.#ctx;
    return runHook(this.name, 'close', this.settings.closeTimeoutMs, () => this.plugin.close?.(ctx));
  }

  status(): PluginStatus {
    return { name: this.name, isolated: false, state: this.#closed ? 'closed' : 'running', crashes: 0 };
  }
}
