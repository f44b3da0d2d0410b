/**
 * Typed errors of the plugin system. Every one is an `E2vError` (the project's base class from
 * `@e2v/core`) with a stable `code`, catalogued in docs/writing-plugins.md.
 * @module
 */
import { E2vError } from '@e2v/core';

/** Names of the hooks a plugin may implement (`setup` and `close` included, for error reports). */
export type HookName = 'setup' | 'beforeAnalyze' | 'onResult' | 'onError' | 'close';

/**
 * Stable codes of {@link PluginError}:
 * - `E2V_ERR_PLUGIN_THREW`: a hook threw or rejected.
 * - `E2V_ERR_PLUGIN_TIMEOUT`: a hook did not settle within the host's `hookTimeoutMs`.
 * - `E2V_ERR_PLUGIN_BAD_RETURN`: a hook returned something its contract does not allow
 *   (e.g. `onResult` returning a non-object).
 * - `E2V_ERR_PLUGIN_OUTPUT_TOO_LARGE`: a hook returned more JSON than the host's `maxOutputBytes`.
 * - `E2V_ERR_PLUGIN_CRASHED`: the plugin's thread died (an uncaught error or unhandled rejection
 *   anywhere in the plugin, its heap limit, `process.exit`, or a hook blocking it past the
 *   timeout) during the hook, or is restarting after such a crash.
 * - `E2V_ERR_PLUGIN_HOST_CLOSED`: the host was used after `close()`.
 */
export const PLUGIN_ERROR_CODES = [
  'E2V_ERR_PLUGIN_THREW',
  'E2V_ERR_PLUGIN_TIMEOUT',
  'E2V_ERR_PLUGIN_BAD_RETURN',
  'E2V_ERR_PLUGIN_OUTPUT_TOO_LARGE',
  'E2V_ERR_PLUGIN_CRASHED',
  'E2V_ERR_PLUGIN_HOST_CLOSED',
] as const;

/** One of {@link PLUGIN_ERROR_CODES}. */
export type PluginErrorCode = (typeof PLUGIN_ERROR_CODES)[number];

/** A plugin failed while the host was running one of its hooks (or the host was closed). */
export class PluginError extends E2vError {
  /** Stable code, one of {@link PLUGIN_ERROR_CODES}. */
  declare readonly code: PluginErrorCode;
  /** The plugin that failed; undefined for `E2V_ERR_PLUGIN_HOST_CLOSED`. */
  readonly plugin: string | undefined;
  /** The hook that failed; undefined for `E2V_ERR_PLUGIN_HOST_CLOSED`. */
  readonly hook: HookName | undefined;

  /**
   * @param code stable code
   * @param message human-readable message
   * @param options failing `plugin` and `hook`, and the underlying `cause`
   */
  constructor(code: PluginErrorCode, message: string, options?: { plugin?: string; hook?: HookName; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.plugin = options?.plugin;
    this.hook = options?.hook;
  }
}
Object.defineProperty(PluginError.prototype, 'name', { value: 'PluginError' });

/**
 * Thrown by a `beforeAnalyze` hook to refuse an analysis (the same as returning
 * `{ veto: reason }`); code `E2V_ERR_PLUGIN_VETO`. Callers may also throw it when
 * `host.beforeAnalyze` reports a veto, so the server can map it to a 4xx answer.
 */
export class PluginVetoError extends E2vError {
  /** Always `E2V_ERR_PLUGIN_VETO`. */
  declare readonly code: 'E2V_ERR_PLUGIN_VETO';
  /** Why the analysis was refused. */
  readonly reason: string;
  /** The plugin that refused, when known. */
  readonly plugin: string | undefined;

  /**
   * @param reason why the analysis is refused (shown to the user)
   * @param options the vetoing `plugin`, when the thrower knows it
   */
  constructor(reason: string, options?: { plugin?: string }) {
    super('E2V_ERR_PLUGIN_VETO', options?.plugin === undefined ? `Analysis refused: ${reason}` : `Analysis refused by plugin ${options.plugin}: ${reason}`);
    this.reason = reason;
    this.plugin = options?.plugin;
  }
}
Object.defineProperty(PluginVetoError.prototype, 'name', { value: 'PluginVetoError' });

/**
 * Stable codes of {@link PluginConfigError} (all raised at start-up, before any analysis):
 * - `E2V_ERR_PLUGIN_CONFIG_FILE`: the config file cannot be read or parsed, has the wrong shape,
 *   or more than one of e2v.config.{json,js,mjs,ts} exists in the folder.
 * - `E2V_ERR_PLUGIN_NOT_FOUND`: a plugin spec names no file, package or built-in.
 * - `E2V_ERR_PLUGIN_LOAD`: importing the plugin module failed.
 * - `E2V_ERR_PLUGIN_INVALID`: the module's default export is not a plugin definition
 *   (missing or malformed `name`, hooks that are not functions, ...).
 * - `E2V_ERR_PLUGIN_DUPLICATE`: two plugins have the same name.
 * - `E2V_ERR_PLUGIN_MISSING_DEPENDENCY`: a plugin depends on one that is not loaded.
 * - `E2V_ERR_PLUGIN_DEPENDENCY_CYCLE`: dependencies form a cycle.
 * - `E2V_ERR_PLUGIN_OPTIONS`: the plugin's `parseOptions` rejected its options.
 * - `E2V_ERR_PLUGIN_SETUP`: `setup` threw, rejected or timed out (plugins already set up are closed).
 */
export const PLUGIN_CONFIG_ERROR_CODES = [
  'E2V_ERR_PLUGIN_CONFIG_FILE',
  'E2V_ERR_PLUGIN_NOT_FOUND',
  'E2V_ERR_PLUGIN_LOAD',
  'E2V_ERR_PLUGIN_INVALID',
  'E2V_ERR_PLUGIN_DUPLICATE',
  'E2V_ERR_PLUGIN_MISSING_DEPENDENCY',
  'E2V_ERR_PLUGIN_DEPENDENCY_CYCLE',
  'E2V_ERR_PLUGIN_OPTIONS',
  'E2V_ERR_PLUGIN_SETUP',
] as const;

/** One of {@link PLUGIN_CONFIG_ERROR_CODES}. */
export type PluginConfigErrorCode = (typeof PLUGIN_CONFIG_ERROR_CODES)[number];

/** The plugin configuration is unusable; raised at start-up. */
export class PluginConfigError extends E2vError {
  /** Stable code, one of {@link PLUGIN_CONFIG_ERROR_CODES}. */
  declare readonly code: PluginConfigErrorCode;
  /** The plugin (name or spec) concerned, when there is one. */
  readonly plugin: string | undefined;

  /**
   * @param code stable code
   * @param message human-readable message naming the plugin, file or option
   * @param options the `plugin` concerned and the underlying `cause`
   */
  constructor(code: PluginConfigErrorCode, message: string, options?: { plugin?: string; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.plugin = options?.plugin;
  }
}
Object.defineProperty(PluginConfigError.prototype, 'name', { value: 'PluginConfigError' });

/**
 * Stable codes of {@link ClassifierError}:
 * - `E2V_ERR_CLASSIFIER_DATA`: training data missing, unreadable or inconsistent (fewer than two
 *   labels, vectors of different lengths, a bad CSV row, a non-finite value).
 * - `E2V_ERR_CLASSIFIER_MODEL`: a model file cannot be read, is not a classifier model, has an
 *   unsupported format version, or does not fit the embedding it is applied to.
 */
export const CLASSIFIER_ERROR_CODES = ['E2V_ERR_CLASSIFIER_DATA', 'E2V_ERR_CLASSIFIER_MODEL'] as const;

/** One of {@link CLASSIFIER_ERROR_CODES}. */
export type ClassifierErrorCode = (typeof CLASSIFIER_ERROR_CODES)[number];

/** Training a classifier, or loading / applying a classifier model, failed. */
export class ClassifierError extends E2vError {
  /** Stable code, one of {@link CLASSIFIER_ERROR_CODES}. */
  declare readonly code: ClassifierErrorCode;

  /**
   * @param code stable code
   * @param message human-readable message naming the file, row or sizes involved
   * @param options the underlying `cause`
   */
  constructor(code: ClassifierErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
Object.defineProperty(ClassifierError.prototype, 'name', { value: 'ClassifierError' });

/**
 * One attempt to deliver an alert failed (code `E2V_ERR_ALERT_DELIVERY`): the webhook answered
 * with a non-2xx status, timed out or could not be reached, or the file could not be written.
 * The alert stays queued on disk and is retried.
 */
export class AlertDeliveryError extends E2vError {
  /** Always `E2V_ERR_ALERT_DELIVERY`. */
  declare readonly code: 'E2V_ERR_ALERT_DELIVERY';

  /**
   * @param message what failed (URL and status, or path)
   * @param options the underlying `cause`
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super('E2V_ERR_ALERT_DELIVERY', message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
Object.defineProperty(AlertDeliveryError.prototype, 'name', { value: 'AlertDeliveryError' });
