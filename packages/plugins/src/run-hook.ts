/**
 * Runs one plugin hook with the host's isolation: a throw, a rejection or a hook that does not
 * settle within the timeout becomes a {@link PluginError} value instead of escaping.
 * @module
 */
import { PluginError, type HookName } from './errors.js';

/** The outcome of one hook call. */
export type HookOutcome<T> = { ok: true; value: T } | { ok: false; error: PluginError };

/**
 * Calls `run` and waits at most `timeoutMs` for it. A hook that times out keeps running in the
 * background; its eventual outcome is ignored.
 * @param plugin plugin name, for the error
 * @param hook hook name, for the error
 * @param timeoutMs how long to wait
 * @param run the call
 * @returns `{ ok: true, value }`, or `{ ok: false, error }` with code `E2V_ERR_PLUGIN_THREW`
 *   (cause: what was thrown) or `E2V_ERR_PLUGIN_TIMEOUT`
 */
export async function runHook<T>(plugin: string, hook: HookName, timeoutMs: number, run: () => T | Promise<T>): Promise<HookOutcome<Awaited<T>>> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = Symbol('timeout');
  const timeout = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), timeoutMs);
  });
  try {
    const value = await Promise.race([Promise.resolve().then(run), timeout]);
    if (value === timedOut) {
      return {
        ok: false,
        error: new PluginError('E2V_ERR_PLUGIN_TIMEOUT', `Plugin ${plugin}: ${hook} did not finish within ${timeoutMs} ms`, { plugin, hook }),
      };
    }
    return { ok: true, value: value as Awaited<T> };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    return { ok: false, error: new PluginError('E2V_ERR_PLUGIN_THREW', `Plugin ${plugin}: ${hook} failed: ${message}`, { plugin, hook, cause }) };
  } finally {
    clearTimeout(timer);
  }
}
