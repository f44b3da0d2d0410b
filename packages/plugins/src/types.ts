/**
 * The plugin contract: what a plugin may implement, what each hook receives and may return,
 * and the shapes the host hands back to its callers (server, CLI, library).
 *
 * Hook kinds (rollup's terms): `setup` runs once per plugin in dependency order; `beforeAnalyze`
 * and `onResult` are **sequential** (one plugin after the other, in dependency order, each seeing
 * what the previous ones added); `onError` is sequential and observes only; `close` runs in
 * reverse order. Every hook call is bounded by the host's `hookTimeoutMs`.
 * @module
 */
import type { Granularity, Result } from '@e2v/core';
import type { Logger } from '@e2v/engine';
import type { HookName } from './errors.js';
import type { PluginSource } from './isolation/protocol.js';

export type { PluginSource } from './isolation/protocol.js';

/** What the caller says about one analysis; `id` is stable per input + options (or a uuid). */
export interface AnalysisContext {
  /** Stable id of this analysis: plugins use it to deduplicate (the alert plugin delivers once per id). */
  id: string;
  /** The input: a display name (file name) and, when the caller has them, its bytes (read-only). */
  input: { name: string; bytes?: Uint8Array };
  /** The analysis options the caller asked for. */
  options: AnalysisOptions;
}

/** Analysis options visible to plugins. */
export interface AnalysisOptions {
  granularity?: Granularity;
  /** True when the caller asked for the embedding (then `onResult` events carry it). */
  embedding?: boolean;
}

/** An embedding as the engine returns it: float32 data in C order and its shape, `(D,)` or `(T', D)`. */
export interface EmbeddingArray {
  data: Float32Array;
  shape: readonly number[];
}

/** A failure recorded at `result.plugins[name].error`. */
export interface PluginFailure {
  /** Stable code (`E2V_ERR_PLUGIN_THREW`, `E2V_ERR_PLUGIN_TIMEOUT`, `E2V_ERR_PLUGIN_BAD_RETURN`). */
  code: string;
  /** The plugin error's message. */
  message: string;
  /** The hook that failed. */
  hook: HookName;
}

/** What a plugin adds to a result: a JSON object, plus `error` when one of its hooks failed. */
export type PluginOutput = Record<string, unknown> & { error?: PluginFailure };

/** A Result after the plugins ran: `plugins[name]` holds each plugin's output. */
export type ResultWithPlugins = Result & { plugins: Record<string, PluginOutput> };

/** The host's answer to `beforeAnalyze`; spread it into the `onResult` context. */
export interface BeforeAnalyzeOutcome {
  /** Set when a plugin refused the analysis: do not analyze, report `reason` to the user. */
  vetoed?: { plugin: string; reason: string };
  /** Annotations by plugin name (from `{ annotate }` returns). */
  annotations: Record<string, unknown>;
  /** Failures of `beforeAnalyze` hooks by plugin name; `onResult` records them in the result. */
  failures: Record<string, PluginFailure>;
}

/** The context of `host.onResult`: the analysis, its embedding, and what `beforeAnalyze` returned. */
export interface ResultContext extends AnalysisContext, Partial<Omit<BeforeAnalyzeOutcome, 'vetoed'>> {
  /** The embedding when the analysis asked for it, else null / absent. */
  embedding?: EmbeddingArray | null;
}

/** What every plugin gets in `setup` (and, with its state, in every hook). */
export interface PluginContext<O> {
  /** The plugin's name. */
  readonly name: string;
  /** A child of the host's logger, tagged `{ plugin: name }`. */
  readonly log: Logger;
  /** The plugin's options after `parseOptions`, frozen. */
  readonly options: Readonly<O>;
  /** The plugin's private folder, `<stateDir>/<name>/`, already created. */
  readonly stateDir: string;
  /** The folder relative paths in the options are relative to (the config file's folder, or the cwd). */
  readonly baseDir: string;
}

/** The context of a hook: the setup context plus the value `setup` returned. */
export interface HookContext<O, S> extends PluginContext<O> {
  /** What `setup` returned (undefined when the plugin has no `setup`). */
  readonly state: S;
}

/** The event of `beforeAnalyze`: the analysis about to run (frozen). */
export type BeforeAnalyzeEvent = Readonly<AnalysisContext>;

/** `beforeAnalyze` may refuse the analysis, annotate it, or return nothing. */
export type BeforeAnalyzeReturn = { veto: string } | { annotate: unknown } | void;

/** The event of `onResult`. */
export interface ResultEvent extends Readonly<AnalysisContext> {
  /** The result, deep-frozen, with the outputs of the plugins that ran before this one. */
  readonly result: Readonly<ResultWithPlugins>;
  /** The embedding when the analysis asked for it, else null. Do not modify it. */
  readonly embedding: EmbeddingArray | null;
  /** Annotations of `beforeAnalyze` by plugin name. */
  readonly annotations: Readonly<Record<string, unknown>>;
}

/** The event of `onError`: the analysis that failed and why (the error's name, code and message). */
export interface ErrorEvent extends Readonly<AnalysisContext> {
  readonly error: { readonly name: string; readonly code?: string; readonly message: string };
}

/** A value or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** The hooks a plugin may implement. */
export interface PluginHooks<O, S> {
  /** Sequential, before the analysis runs. Return `{ veto: reason }` (or throw {@link PluginVetoError}) to refuse it, `{ annotate: value }` to annotate it. */
  beforeAnalyze?(event: BeforeAnalyzeEvent, ctx: HookContext<O, S>): Awaitable<BeforeAnalyzeReturn>;
  /** Sequential, after a successful analysis. A returned object becomes `result.plugins[name]`. */
  onResult?(event: ResultEvent, ctx: HookContext<O, S>): Awaitable<Record<string, unknown> | void>;
  /** Sequential, observe-only, after a failed analysis. */
  onError?(event: ErrorEvent, ctx: HookContext<O, S>): Awaitable<void>;
}

/**
 * A plugin definition. `O` is the type of its options, `S` what its `setup` returns (its
 * per-host state, handed to every hook as `ctx.state`): the same definition can be used by
 * several hosts at once.
 */
export interface Plugin<O = unknown, S = void> {
  /** Unique name: letters, digits, `.`, `_`, `-`; used in logs, errors, `result.plugins` and the state folder. */
  name: string;
  /** The plugin's version (informational). */
  version?: string;
  /** Names of plugins that must be loaded and set up before this one. */
  dependencies?: readonly string[];
  /** Validates the raw options from the config and returns the typed options; throw to reject them. */
  parseOptions?(raw: unknown): O;
  /** Once, at start-up, in dependency order. Its return value becomes `ctx.state`. */
  setup?(ctx: PluginContext<O>, options: Readonly<O>): Awaitable<S>;
  /** The hooks. */
  hooks?: PluginHooks<O, S>;
  /**
   * Once, at shutdown, in reverse setup order. A returned object is its report (the CLI and the
   * server show it, e.g. the alert plugin's `{ delivered, pending }`).
   */
  close?(ctx: HookContext<O, S>): Awaitable<Record<string, unknown> | void>;
}

/** A plugin of any option and state types (what loaders and hosts handle). */
export type AnyPlugin = Plugin<any, any>;

/**
 * One plugin to run, with its raw options and the folder its relative paths are relative to:
 * a plugin object (runs in the host's thread), or where to load one from (runs on a worker
 * thread of its own, isolated from the host; see isolation/thread-runner.ts).
 */
export type PluginEntry =
  | { plugin: AnyPlugin; source?: undefined; options?: unknown; baseDir?: string }
  | { plugin?: undefined; source: PluginSource; options?: unknown; baseDir?: string };
