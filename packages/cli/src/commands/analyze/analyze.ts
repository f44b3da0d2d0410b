/**
 * `e2v analyze FILES|DIRS|GLOBS...`: a batch through one engine, `--concurrency` files in flight,
 * a progress bar (plain lines when stderr is not a terminal), results appended to `--out DIR`
 * (results.jsonl, errors.jsonl, results.csv with `--csv`, embeddings/ with `--embedding`,
 * outputs/ folders with `--save-outputs`), `--resume` by content hash, `--json` Results on stdout,
 * and a summary. One bad file never stops the batch; Ctrl-C lets the files in flight finish, then
 * stops with everything written so far consistent (exit 130); so does an `--out` folder that
 * cannot be written (a full disk: one typed line, exit 74). With `--redis URL` the files are
 * analyzed by `e2v worker`s of the model's queue instead (docs/scale-out.md); Redis away longer
 * than `--redis-timeout` stops the batch the same way (exit 69), `--resume` completes it.
 * @module
 */
import { parseArgs } from 'node:util';
import type { E2vError, Granularity } from '@e2v/core';
import { DEFAULT_WINDOW_S, MAX_WINDOW_S, removeStaleStaging } from '@e2v/engine';
import { EXIT, failureLine, UsageError } from '../../errors.js';
import type { CliIo } from '../../io.js';
import { DEFAULT_MAX_DURATION_MIN, integerFlag, numberFlag, variantFlag } from '../flags.js';
import { modelFolder } from '../model-folder.js';
import { modelsDir as resolveModelsDir } from '../model.js';
import { lineLogger, loadCliPlugins, PLUGIN_FLAGS, type PluginFlagValues } from '../plugin-flags.js';
import { optionalRedisUrl } from '../redis-flag.js';
import type { Analyst } from './analyst.js';
import { BatchProgress } from './batch-progress.js';
import { BatchStore } from './batch-store.js';
import { engineAnalyst } from './engine-analyst.js';
import { FileAnalyzer } from './file-analyzer.js';
import { expandInputs } from './inputs.js';
import { queueAnalyst } from './queue-analyst.js';
import { stopsBatch } from './failure.js';
import { formatSummary } from './summary.js';

/** Exit code after Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Default `--redis-timeout`: seconds Redis may be unreachable before a queued batch stops. */
export const DEFAULT_REDIS_TIMEOUT_S = 30;

/** Default `--concurrency` of a queued batch: files in the queue at once. */
const QUEUED_CONCURRENCY = 32;

/**
 * The plugin or outputs flag a queued batch refuses (plugins run in the workers, and outputs
 * folders are not carried back yet), or undefined.
 */
function localOnlyFlag(values: PluginFlagValues & { 'save-outputs': boolean }): string | undefined {
  if (values['save-outputs']) return '--save-outputs';
  if ((values.plugin ?? []).length > 0) return '--plugin (give plugins to e2v worker)';
  return values.config === undefined ? undefined : '--config (give plugins to e2v worker)';
}

/**
 * Runs `e2v analyze`.
 * @returns 0 when every file succeeded (or `--allow-failures`), 1 otherwise, 74 when the `--out`
 * folder could not be written, 69 when the queue's Redis was gone too long, 130 after Ctrl-C
 */
export async function runAnalyze(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      model: { type: 'string' },
      'models-dir': { type: 'string' },
      variant: { type: 'string' },
      int8: { type: 'boolean', default: false },
      threads: { type: 'string' },
      granularity: { type: 'string', default: 'utterance' },
      window: { type: 'string' },
      embedding: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      'save-outputs': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'max-duration-min': { type: 'string' },
      resume: { type: 'boolean', default: false },
      'allow-failures': { type: 'boolean', default: false },
      redis: { type: 'string' },
      'redis-timeout': { type: 'string' },
      ...PLUGIN_FLAGS,
    },
  });
  const granularity = values.granularity as Granularity;
  if (granularity !== 'utterance' && granularity !== 'frame') throw new UsageError(`--granularity must be utterance or frame, not '${values.granularity}'`);
  const windowS = numberFlag(values.window, '--window', (n) => n >= 0 && n <= MAX_WINDOW_S, `a number of seconds in [0, ${MAX_WINDOW_S}]`);
  if (windowS !== undefined && granularity !== 'frame') throw new UsageError('--window smooths frame scores: it needs --granularity frame');
  if (positionals.length === 0) throw new UsageError('e2v analyze needs files, folders or glob patterns');
  const needsOut = (['resume', 'csv', 'save-outputs'] as const).find((flag) => values[flag]);
  if (needsOut !== undefined && values.out === undefined) throw new UsageError(`--${needsOut} needs --out DIR`);
  const redisUrl = optionalRedisUrl(values.redis);
  const refused = redisUrl === undefined ? undefined : localOnlyFlag(values);
  if (refused !== undefined) throw new UsageError(`--redis does not take ${refused}`);
  const concurrency = integerFlag(values.concurrency, '--concurrency', 1, 64) ?? (redisUrl === undefined ? 2 : QUEUED_CONCURRENCY);
  const redisTimeoutS = integerFlag(values['redis-timeout'], '--redis-timeout', 1, 24 * 3600) ?? DEFAULT_REDIS_TIMEOUT_S;
  const threads = integerFlag(values.threads, '--threads', 1, 256);
  const maxDurationMin = integerFlag(values['max-duration-min'], '--max-duration-min', 1, 24 * 60) ?? DEFAULT_MAX_DURATION_MIN;
  const variantRequest = variantFlag(values.variant, values.int8);
  const files = await expandInputs(positionals);

  const model = modelFolder(values.model, resolveModelsDir(values['models-dir']));
  const progress = new BatchProgress(io.stderr, { isTTY: io.stderrIsTTY === true });
  const analyst: Analyst =
    redisUrl === undefined
      ? await engineAnalyst(model.dir, {
          ...(threads === undefined ? {} : { threads }),
          variant: variantRequest,
          queueDepth: concurrency + 1,
          maxDurationS: maxDurationMin * 60,
        })
      : await queueAnalyst({
          url: redisUrl,
          modelDir: model.dir,
          variant: variantRequest,
          unavailableAfterMs: redisTimeoutS * 1000,
          onConnectionError: (m) => progress.note(`redis: ${m}`),
        });
  try {
    const store = values.out === undefined ? null : await BatchStore.open(values.out, values.csv ? analyst.labels : null);
    if (store !== null && values['save-outputs']) {
      const removed = await removeStaleStaging(store.outputsDir);
      if (removed.length > 0) progress.note(`removed ${removed.length} unfinished outputs folder(s) of stopped e2v processes in ${store.outputsDir}`);
    }
    const pluginLevels = { info: false };
    const plugins = await loadCliPlugins(
      values,
      lineLogger((line) => progress.note(line), pluginLevels),
    );
    const analyzer = new FileAnalyzer({
      analyst,
      plugins,
      store,
      options: { granularity, windowS: windowS ?? DEFAULT_WINDOW_S, embedding: values.embedding, saveOutputs: values['save-outputs'], json: values.json },
      io,
      progress,
      total: files.length,
    });
    let stopped = null as E2vError | null;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length && io.signal?.aborted !== true && stopped === null) {
        await analyzer.analyze(files[next++]!).catch((error: unknown) => {
          if (!stopsBatch(error)) throw error;
          stopped ??= error;
        });
      }
    };
    let outcomes: PromiseSettledResult<void>[];
    let pluginReports: Record<string, Record<string, unknown>> = {};
    try {
      progress.update(analyzer.counts);
      // every worker settles before anything is closed, even when one of them throws
      outcomes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, files.length) }, worker));
    } finally {
      pluginLevels.info = true; // show what plugins do while they finish (e.g. alerts still being delivered)
      pluginReports = (await plugins?.close()) ?? {};
      progress.finish();
    }
    const thrown = outcomes.find((o) => o.status === 'rejected');
    if (thrown !== undefined) throw thrown.reason;
    if (store !== null && stopped === null) {
      await store.close().catch((error: unknown) => {
        stopped = error as E2vError;
      });
    }
    const summary = { ...analyzer.summary(), plugins: pluginReports };
    io.stderr(formatSummary(summary));
    if (stopped !== null) {
      const fix = stopped.code === 'E2V_ERR_CLI_OUTPUT_FULL' ? 'make room' : stopped.code === 'E2V_ERR_QUEUE_UNAVAILABLE' ? 'bring Redis back' : 'fix that';
      io.stderr(failureLine(stopped, `${summary.notDone} files not done: ${fix}, then run again with --resume`));
      return stopped.code === 'E2V_ERR_QUEUE_UNAVAILABLE' ? EXIT.unavailable : EXIT.output;
    }
    if (io.signal?.aborted === true) {
      io.stderr(`e2v: interrupted; ${summary.notDone} files not started${values.out === undefined ? '' : ' (run again with --resume to continue)'}\n`);
      return EXIT_INTERRUPTED;
    }
    return summary.failed.length === 0 || values['allow-failures'] ? EXIT.ok : EXIT.failure;
  } finally {
    await analyst.close();
  }
}
