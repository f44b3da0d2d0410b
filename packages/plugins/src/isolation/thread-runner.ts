/**
 * A plugin on a worker thread of its own (plugin-thread.ts), with a heap limit. Hook calls are
 * messages with a deadline. When the thread dies — an uncaught error or unhandled rejection in
 * the plugin, its heap limit, `process.exit` — every call in flight fails with
 * `E2V_ERR_PLUGIN_CRASHED`, the crash is counted, and a new thread is loaded and set up again
 * after a backoff (0.25 s, doubling, at most 30 s); calls in between fail at once with the same
 * code. A hook past its deadline fails with `E2V_ERR_PLUGIN_TIMEOUT`; when the thread then does
 * not answer a ping within {@link PING_DEADLINE_MS} (a blocked event loop), it is terminated and
 * restarted the same way. Memory outside the heap (Buffers, ArrayBuffers) is not covered by the
 * heap limit: a thread that still holds more than the limit there after a call is restarted too
 * (the call's own output is kept). A single call that allocates buffers without end is bounded by
 * the machine only.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { siblingWorkerScript, type Logger } from '@e2v/engine';
import { PluginConfigError, PluginError, type HookName } from '../errors.js';
import type { HookOutcome } from '../run-hook.js';
import type { AnalysisHook, PluginRunner, PluginStatus } from '../runner.js';
import type { FromThread, PluginSource, ThreadFailure, ToThread } from './protocol.js';

/** How long a thread may take to answer a ping before it counts as blocked. */
export const PING_DEADLINE_MS = 500;
/** First restart delay after a crash; it doubles with each crash in a row, up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

/** Settings of a {@link ThreadRunner}. */
export interface ThreadSettings {
  source: PluginSource;
  options: unknown;
  /** The plugin's state folder, from its name (known once the thread has loaded it). */
  stateDirOf: (name: string) => string;
  baseDir: string;
  /** The host's logger (the plugin's lines get `{ plugin }` once its name is known). */
  logger: Logger;
  timeoutMs: number;
  closeTimeoutMs: number;
  maxOutputBytes: number;
  /** Heap limit of the thread (V8 old generation), in MB. */
  memoryLimitMb: number;
}

interface Pending {
  resolve(outcome: HookOutcome<unknown>): void;
  hook: HookName;
}

/** What `load` tells about the plugin. */
interface Loaded {
  name: string;
  version: string | undefined;
  dependencies: string[];
  hooks: AnalysisHook[];
}

/** A plugin on its own worker thread. Create with {@link ThreadRunner.load}. */
export class ThreadRunner implements PluginRunner {
  readonly name: string;
  readonly version: string | undefined;
  readonly dependencies: readonly string[];
  readonly log: Logger;
  readonly #hooks: ReadonlySet<AnalysisHook>;
  #worker: Worker | undefined;
  #state: PluginStatus['state'] = 'restarting';
  #crashes = 0;
  #crashesInARow = 0;
  #lastCrash: PluginStatus['lastCrash'];
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #restartTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly settings: ThreadSettings,
    loaded: Loaded,
    worker: Worker,
  ) {
    this.name = loaded.name;
    this.version = loaded.version;
    this.dependencies = loaded.dependencies;
    this.#hooks = new Set(loaded.hooks);
    this.log = settings.logger.child({ plugin: loaded.name });
    this.#worker = worker;
  }

  /**
   * [async] Starts a thread and loads the plugin there (nothing of it runs in this thread).
   * @throws PluginConfigError with the loader's code (`E2V_ERR_PLUGIN_NOT_FOUND`, `_LOAD`, `_INVALID`, ...)
   */
  static async load(settings: ThreadSettings): Promise<ThreadRunner> {
    const worker = ThreadRunner.#spawn(settings);
    const reply = await ThreadRunner.#first(worker, { kind: 'load', source: settings.source }, ['loaded', 'load-failed']);
    if (reply.kind !== 'loaded') {
      await worker.terminate();
      const failure = reply.kind === 'load-failed' ? reply.failure : { code: 'E2V_ERR_PLUGIN_LOAD', message: 'the plugin thread died while loading' };
      throw new PluginConfigError(failure.code as never, failure.message);
    }
    return new ThreadRunner(settings, reply, worker);
  }

  static #spawn(settings: ThreadSettings): Worker {
    const { script, options } = siblingWorkerScript(import.meta.url, 'plugin-thread');
    const worker = new Worker(script, {
      ...options,
      resourceLimits: { maxOldGenerationSizeMb: settings.memoryLimitMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, settings.memoryLimitMb / 8)) },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    return worker;
  }

  /** Sends one message and waits for the first reply of the given kinds (or the thread's death). */
  static #first(worker: Worker, message: ToThread, kinds: FromThread['kind'][]): Promise<FromThread | { kind: 'died'; error: Error }> {
    return new Promise((resolve) => {
      const onMessage = (reply: FromThread): void => {
        if (!kinds.includes(reply.kind)) return;
        done();
        resolve(reply);
      };
      const onDeath = (error: Error): void => {
        done();
        resolve({ kind: 'died', error });
      };
      const onExit = (code: number): void => onDeath(new Error(`the thread exited with code ${code}`));
      const done = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onDeath);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onDeath);
      worker.on('exit', onExit);
      worker.postMessage(message);
    });
  }

  has(hook: AnalysisHook): boolean {
    return this.#hooks.has(hook);
  }

  /**
   * [async] Checks the options on the plugin's thread.
   * @throws PluginConfigError `E2V_ERR_PLUGIN_OPTIONS`
   */
  async prepare(): Promise<void> {
    const failure = await this.#parse(this.#worker!);
    if (failure !== undefined) await this.#fail(failure);
  }

  /**
   * [async] Sets the plugin up on its thread.
   * @throws PluginConfigError `E2V_ERR_PLUGIN_SETUP`
   */
  async start(): Promise<void> {
    const failure = await this.#setUp(this.#worker!);
    if (failure !== undefined) await this.#fail(failure);
  }

  async #fail(failure: ThreadFailure): Promise<never> {
    await this.#worker?.terminate();
    this.#worker = undefined;
    this.#state = 'closed';
    throw new PluginConfigError(failure.code as never, failure.message, { plugin: this.name });
  }

  async #parse(worker: Worker): Promise<ThreadFailure | undefined> {
    const reply = await ThreadRunner.#first(worker, { kind: 'options', options: this.settings.options }, ['parsed', 'options-failed']);
    if (reply.kind === 'options-failed') return reply.failure;
    if (reply.kind === 'died')
      return { code: 'E2V_ERR_PLUGIN_OPTIONS', message: `Plugin ${this.name}: its thread died checking the options: ${reply.error.message}` };
    return undefined;
  }

  /** Sets up the plugin on `worker` and, when it succeeds, watches it; returns the failure otherwise. */
  async #setUp(worker: Worker): Promise<ThreadFailure | undefined> {
    const { baseDir, maxOutputBytes } = this.settings;
    const stateDir = this.settings.stateDirOf(this.name);
    worker.on('message', (message: FromThread) => this.#onMessage(message));
    const reply = await ThreadRunner.#first(worker, { kind: 'setup', stateDir, baseDir, maxOutputBytes }, ['ready', 'setup-failed']);
    if (reply.kind === 'setup-failed') return reply.failure;
    if (reply.kind === 'died') return { code: 'E2V_ERR_PLUGIN_SETUP', message: `Plugin ${this.name}: its thread died during setup: ${reply.error.message}` };
    worker.on('error', (error: Error & { code?: string }) => this.#crashed(worker, error));
    worker.on('exit', (code) => this.#crashed(worker, new Error(`the thread exited with code ${code}`)));
    this.#state = 'running';
    this.#crashesInARow = 0;
    return undefined;
  }

  #onMessage(message: FromThread): void {
    if (message.kind === 'log') {
      this.log[message.level](message.fields, message.message);
    } else if (message.kind === 'reply') {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      pending.resolve(message.ok ? { ok: true, value: message.value } : { ok: false, error: this.#error(pending.hook, message.failure) });
      const { memoryLimitMb } = this.settings;
      if (message.externalMb > memoryLimitMb && this.#worker !== undefined) {
        this.#crashed(this.#worker, new Error(`it holds ${message.externalMb.toFixed(0)} MB outside its heap (buffers), over its ${memoryLimitMb} MB limit`));
      }
    }
  }

  #error(hook: HookName, failure: ThreadFailure): PluginError {
    const cause =
      failure.veto === undefined
        ? new Error(failure.message)
        : Object.assign(new Error(failure.message), { code: 'E2V_ERR_PLUGIN_VETO', reason: failure.veto });
    const known = ['E2V_ERR_PLUGIN_BAD_RETURN', 'E2V_ERR_PLUGIN_OUTPUT_TOO_LARGE'].includes(failure.code);
    const code = known ? (failure.code as 'E2V_ERR_PLUGIN_BAD_RETURN') : 'E2V_ERR_PLUGIN_THREW';
    const message = known ? failure.message : `Plugin ${this.name}: ${hook} failed: ${failure.message}`;
    return new PluginError(code, message, { plugin: this.name, hook, cause });
  }

  /** The thread died: fail what it was doing, count the crash, restart after a backoff. */
  #crashed(worker: Worker, error: Error & { code?: string }): void {
    if (worker !== this.#worker || this.#state === 'closed') return;
    this.#worker = undefined;
    void worker.terminate();
    const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it exceeded its ${this.settings.memoryLimitMb} MB heap` : error.message;
    this.#crashes += 1;
    this.#crashesInARow += 1;
    this.#lastCrash = { code: 'E2V_ERR_PLUGIN_CRASHED', message: reason, at: new Date().toISOString() };
    this.#state = 'restarting';
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.resolve({ ok: false, error: this.#crash(pending.hook, `its thread crashed: ${reason}`) });
    }
    const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (this.#crashesInARow - 1));
    this.log.error({ code: 'E2V_ERR_PLUGIN_CRASHED', reason, crashes: this.#crashes, restartInMs: delay }, 'plugin thread crashed; restarting it');
    this.#restartTimer = setTimeout(() => void this.#restart(), delay);
    this.#restartTimer.unref();
  }

  async #restart(): Promise<void> {
    if (this.#state === 'closed') return;
    const worker = ThreadRunner.#spawn(this.settings);
    this.#worker = worker;
    const loaded = await ThreadRunner.#first(worker, { kind: 'load', source: this.settings.source }, ['loaded', 'load-failed']);
    let failure: ThreadFailure | undefined;
    if (loaded.kind === 'loaded') failure = (await this.#parse(worker)) ?? (await this.#setUp(worker));
    else if (loaded.kind === 'load-failed') failure = loaded.failure;
    else if (loaded.kind === 'died') failure = { code: 'E2V_ERR_PLUGIN_LOAD', message: loaded.error.message };
    if ((this.#state as PluginStatus['state']) === 'closed') {
      await worker.terminate();
      return;
    }
    if (failure !== undefined) this.#crashed(worker, new Error(`restart failed: ${failure.message}`));
    else this.log.info({ crashes: this.#crashes }, 'plugin thread restarted');
  }

  #crash(hook: HookName, what: string): PluginError {
    return new PluginError('E2V_ERR_PLUGIN_CRASHED', `Plugin ${this.name}: ${hook} failed: ${what}`, { plugin: this.name, hook });
  }

  call(hook: AnalysisHook, event: unknown): Promise<HookOutcome<unknown>> {
    return this.#send(hook, event, this.settings.timeoutMs);
  }

  #send(hook: AnalysisHook | 'close', event: unknown, timeoutMs: number): Promise<HookOutcome<unknown>> {
    const worker = this.#worker;
    if (worker === undefined || this.#state !== 'running') {
      const what = this.#state === 'closed' ? 'the plugin is closed' : `its thread is restarting after a crash (${this.#lastCrash?.message ?? 'unknown'})`;
      return Promise.resolve({ ok: false, error: this.#crash(hook, what) });
    }
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        resolve({
          ok: false,
          error: new PluginError('E2V_ERR_PLUGIN_TIMEOUT', `Plugin ${this.name}: ${hook} did not finish within ${timeoutMs} ms`, { plugin: this.name, hook }),
        });
        void this.#checkAlive(worker);
      }, timeoutMs);
      this.#pending.set(id, {
        hook,
        resolve: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      });
      worker.postMessage({ kind: 'call', id, hook, event } satisfies ToThread);
    });
  }

  /** After a timeout: a thread that does not answer a ping is blocked; end it (and restart). */
  async #checkAlive(worker: Worker): Promise<void> {
    const id = this.#nextId++;
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        resolve(false);
      }, PING_DEADLINE_MS);
      const onMessage = (message: FromThread): void => {
        if (message.kind !== 'pong' || message.id !== id) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(true);
      };
      worker.on('message', onMessage);
      worker.postMessage({ kind: 'ping', id } satisfies ToThread);
    });
    if (!answered) this.#crashed(worker, new Error(`it stopped answering (a hook blocks its thread for more than ${this.settings.timeoutMs} ms)`));
  }

  async close(): Promise<HookOutcome<unknown>> {
    if (this.#state === 'closed') return { ok: true, value: undefined };
    clearTimeout(this.#restartTimer);
    const outcome = this.#state === 'running' ? await this.#send('close', undefined, this.settings.closeTimeoutMs) : { ok: true as const, value: undefined };
    this.#state = 'closed';
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
    return outcome;
  }

  status(): PluginStatus {
    return {
      name: this.name,
      isolated: true,
      state: this.#state,
      crashes: this.#crashes,
      ...(this.#lastCrash === undefined ? {} : { lastCrash: this.#lastCrash }),
    };
  }
}
