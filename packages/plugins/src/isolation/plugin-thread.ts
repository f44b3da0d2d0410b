/**
 * Entry point of a plugin's own worker thread: loads the plugin from its source, sets it up, and
 * runs its hooks on request. Whatever the plugin does here — throw from a timer, leave a
 * rejection unhandled, loop forever, allocate until the heap limit, call `process.exit` — ends
 * this thread at worst; the host sees the thread die and restarts it.
 * @module
 */
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import type { Logger, LogFields } from '@e2v/engine';
import { assertPlugin } from '../define.js';
import { deepFreeze } from '../freeze.js';
import { readConfigFile } from '../load/config-file.js';
import { loadPluginSpec } from '../load/spec.js';
import { copyOutput, type AnalysisHook } from '../runner.js';
import type { AnyPlugin, HookContext, PluginContext } from '../types.js';
import type { FromThread, PluginSource, ThreadFailure, ToThread } from './protocol.js';

if (!parentPort) throw new Error('plugin thread: must be started as a worker thread');
const port = parentPort;
const HOOKS: readonly AnalysisHook[] = ['beforeAnalyze', 'onResult', 'onError'];

/** MB this thread's isolate holds outside its heap (Buffers and ArrayBuffers count here, not in the heap limit). */
function externalMb(): number {
  return process.memoryUsage().external / (1024 * 1024);
}

function send(message: FromThread): void {
  port.postMessage(message);
}

/** A logger whose lines go to the host's logger (tagged with the plugin there). */
function threadLogger(bindings: LogFields): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (fields: LogFields, message: string): void => {
      let safe: LogFields;
      try {
        safe = structuredClone({ ...bindings, ...fields });
      } catch {
        safe = { ...bindings, fields: String(fields) };
      }
      send({ kind: 'log', level, fields: safe, message: String(message) });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => threadLogger({ ...bindings, ...more }) };
}

/** A thrown value as a failure record. */
function failureOf(error: unknown, fallback: string): ThreadFailure {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : fallback;
  const message = error instanceof Error ? error.message : String(error);
  const reason = (error as { reason?: unknown })?.reason;
  return code === 'E2V_ERR_PLUGIN_VETO' && typeof reason === 'string' ? { code, message, veto: reason } : { code, message };
}

async function load(source: PluginSource): Promise<AnyPlugin> {
  if (source.kind === 'spec') return loadPluginSpec(source.spec, source.baseDir);
  const entry = (await readConfigFile(source.file))[source.index];
  if (entry === undefined) throw new Error(`config file ${source.file} has no plugins[${source.index}]`);
  return typeof entry.target === 'string' ? loadPluginSpec(entry.target, dirname(source.file)) : assertPlugin(entry.target, 'a plugin object', source.file);
}

let plugin: AnyPlugin | undefined;
let ctx: (HookContext<unknown, unknown> & { state: unknown }) | undefined;
let maxOutputBytes = 0;
let options: unknown;

async function handle(message: ToThread): Promise<void> {
  switch (message.kind) {
    case 'load':
      try {
        plugin = await load(message.source);
        const { hooks } = plugin;
        send({
          kind: 'loaded',
          name: plugin.name,
          version: plugin.version,
          dependencies: [...(plugin.dependencies ?? [])],
          hooks: HOOKS.filter((h) => hooks?.[h] !== undefined),
        });
      } catch (error) {
        send({ kind: 'load-failed', failure: failureOf(error, 'E2V_ERR_PLUGIN_LOAD') });
      }
      return;
    case 'options': {
      const p = plugin!;
      try {
        options = p.parseOptions === undefined ? message.options : p.parseOptions(message.options);
        send({ kind: 'parsed' });
      } catch (error) {
        send({
          kind: 'options-failed',
          failure: {
            code: 'E2V_ERR_PLUGIN_OPTIONS',
            message: `Invalid options for plugin "${p.name}": ${error instanceof Error ? error.message : String(error)}`,
          },
        });
      }
      return;
    }
    case 'setup': {
      const p = plugin!;
      maxOutputBytes = message.maxOutputBytes;
      const base: PluginContext<unknown> = {
        name: p.name,
        log: threadLogger({}),
        options: deepFreeze(options) as Readonly<unknown>,
        stateDir: message.stateDir,
        baseDir: message.baseDir,
      };
      try {
        await mkdir(message.stateDir, { recursive: true });
        ctx = { ...base, state: await p.setup?.(base, base.options) };
        send({ kind: 'ready' });
      } catch (error) {
        send({
          kind: 'setup-failed',
          failure: { code: 'E2V_ERR_PLUGIN_SETUP', message: `Plugin ${p.name}: setup failed: ${error instanceof Error ? error.message : String(error)}` },
        });
      }
      return;
    }
    case 'call': {
      const p = plugin!;
      try {
        const value =
          message.hook === 'close'
            ? await p.close?.(ctx!)
            : await (p.hooks![message.hook] as (e: unknown, c: unknown) => unknown)(deepFreeze(message.event), ctx); // the host calls only the hooks the plugin has
        send({ kind: 'reply', id: message.id, ok: true, value: copyOutput(p.name, message.hook, value, maxOutputBytes), externalMb: externalMb() });
      } catch (error) {
        send({ kind: 'reply', id: message.id, ok: false, failure: failureOf(error, 'E2V_ERR_PLUGIN_THREW'), externalMb: externalMb() });
      }
      return;
    }
    case 'ping':
      send({ kind: 'pong', id: message.id });
      return;
  }
}

port.on('message', (message: ToThread) => {
  void handle(message);
});
