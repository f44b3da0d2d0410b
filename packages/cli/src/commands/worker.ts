/**
 * `e2v worker --redis URL [--model DIR] [--int8|--variant V] [--threads N] [--concurrency N]
 * [--lock-ms N] [PLUGIN FLAGS]`: takes analysis jobs for its model from the queue and runs them
 * with the local engine and plugins, until SIGTERM or Ctrl-C: then it finishes the jobs in hand,
 * takes no new one and exits 0. While Redis is away it reconnects with backoff. One line per job
 * on stderr.
 * @module
 */
import { parseArgs } from 'node:util';
import { Engine } from '@e2v/engine';
import { AnalysisWorker, modelIdentity, redactRedisUrl } from '@e2v/queue';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { DEFAULT_MAX_DURATION_MIN, integerFlag, variantFlag } from './flags.js';
import { modelFolder } from './model-folder.js';
import { modelsDir as resolveModelsDir } from './model.js';
import { lineLogger, loadCliPlugins, PLUGIN_FLAGS } from './plugin-flags.js';
import { requiredRedisUrl } from './redis-flag.js';

/** Resolves when the signal fires (never without one). */
function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Runs `e2v worker`.
 * @returns 0 after SIGTERM / Ctrl-C once the jobs in hand are done
 */
export async function runWorker(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      redis: { type: 'string' },
      model: { type: 'string' },
      'models-dir': { type: 'string' },
      variant: { type: 'string' },
      int8: { type: 'boolean', default: false },
      threads: { type: 'string' },
      concurrency: { type: 'string' },
      'lock-ms': { type: 'string' },
      'max-duration-min': { type: 'string' },
      ...PLUGIN_FLAGS,
    },
  });
  const url = requiredRedisUrl(values.redis, 'e2v worker');
  const concurrency = integerFlag(values.concurrency, '--concurrency', 1, 64) ?? 1;
  const threads = integerFlag(values.threads, '--threads', 1, 256);
  const lockMs = integerFlag(values['lock-ms'], '--lock-ms', 1000, 3_600_000) ?? 30_000;
  const maxDurationMin = integerFlag(values['max-duration-min'], '--max-duration-min', 1, 24 * 60) ?? DEFAULT_MAX_DURATION_MIN;
  const model = modelFolder(values.model, resolveModelsDir(values['models-dir']));
  const identity = await modelIdentity(model.dir, variantFlag(values.variant, values.int8));
  const line = (text: string): void => io.stderr(`e2v worker: ${text}\n`);
  const engine = await Engine.load(model.dir, {
    ...(threads === undefined ? {} : { threads }),
    variant: identity.variant,
    queueDepth: concurrency + 1,
    maxDurationS: maxDurationMin * 60,
  });
  try {
    const plugins = await loadCliPlugins(values, lineLogger(line));
    const worker = new AnalysisWorker({ url, engine, identity, concurrency, lockMs, log: line, ...(plugins === undefined ? {} : { plugins }) });
    line(`serving ${identity.name} (${identity.variant}, model ${identity.id}) from ${redactRedisUrl(url)}, ${concurrency} at a time`);
    await stopped(io.signal);
    line('stopping: finishing the jobs in hand');
    await worker.close();
    await plugins?.close();
    line('stopped');
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}
