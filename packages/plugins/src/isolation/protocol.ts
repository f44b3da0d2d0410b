/**
 * Messages between the host and a plugin's worker thread (isolation/plugin-thread.ts).
 * @module
 */
import type { LogFields } from '@e2v/engine';
import type { AnalysisHook } from '../runner.js';

/** Where a plugin's code comes from, so its own thread can load it. */
export type PluginSource =
  /** A built-in name, a path or a package name (see load/spec.ts), resolved from `baseDir`. */
  | { kind: 'spec'; spec: string; baseDir: string }
  /** Entry `index` of a config file's `plugins` array (a spec, or a plugin object in a .js/.ts file). */
  | { kind: 'config'; file: string; index: number };

/** Host -> thread. */
export type ToThread =
  | { kind: 'load'; source: PluginSource }
  | { kind: 'options'; options: unknown }
  | { kind: 'setup'; stateDir: string; baseDir: string; maxOutputBytes: number }
  | { kind: 'call'; id: number; hook: AnalysisHook | 'close'; event: unknown }
  | { kind: 'ping'; id: number };

/** A failure as the thread reports it. */
export interface ThreadFailure {
  code: string;
  message: string;
  /** Set when a `beforeAnalyze` hook vetoed by throwing PluginVetoError. */
  veto?: string;
}

/** Thread -> host. */
export type FromThread =
  | { kind: 'loaded'; name: string; version: string | undefined; dependencies: string[]; hooks: AnalysisHook[] }
  | { kind: 'load-failed'; failure: ThreadFailure }
  | { kind: 'parsed' }
  | { kind: 'options-failed'; failure: ThreadFailure }
  | { kind: 'ready' }
  | { kind: 'setup-failed'; failure: ThreadFailure }
  /** `externalMb`: memory the thread holds outside its heap (Buffers, ArrayBuffers) after the call. */
  | { kind: 'reply'; id: number; ok: true; value: unknown; externalMb: number }
  | { kind: 'reply'; id: number; ok: false; failure: ThreadFailure; externalMb: number }
  | { kind: 'pong'; id: number }
  | { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; fields: LogFields; message: string };
