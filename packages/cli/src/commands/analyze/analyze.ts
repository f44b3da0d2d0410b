/**
 * `e2v analyze FILES|DIRS|GLOBS...`: a batch through one engine, `--concurrency` files in flight,
 * a progress bar (plain lines when stderr is not a terminal), results appended to `--out DIR`
 * (results.jsonl, errors.jsonl, results.csv with `--csv`, embeddings/ with `--embedding`,
 * outputs/ folders with `--save-outputs`), `--resume` by content hash, `--json` Results on stdout,
 * and a summary. One bad file never stops the batch; Ctrl-C lets the files in flight finish, then
 * stops with everything written so far consistent (exit 130).
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, type Analysis, type Granularity } from '@e2v/engine';
import { encodeNpy } from '@e2v/npy';
import { analyzeWithPlugins, writeFileAtomic } from '@e2v/plugins';
import { EXIT, UsageError } from '../../errors.js';
import type { CliIo } from '../../io.js';
import { integerFlag, variantFlag } from '../flags.js';
import { modelFolder } from '../model-folder.js';
import { modelsDir as resolveModelsDir } from '../model.js';
import { lineLogger, loadCliPlugins, PLUGIN_FLAGS } from '../plugin-flags.js';
import { BatchProgress, type BatchCounts } from './batch-progress.js';
import { BatchStore } from './batch-store.js';
import { expandInputs } from './inputs.js';
import { formatSummary, type BatchSummary } from './summary.js';

/** Exit code after Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Writes an embedding as `<dir>/<sha256>.npy` (temporary name, then rename). */
async function saveEmbedding(dir: string, sha256: string, analysis: Analysis): Promise<string | null> {
  if (analysis.embedding === null) return null;
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${sha256}.npy`);
  await writeFileAtomic(path, encodeNpy(analysis.embedding.data, analysis.embedding.shape));
  return path;
}

/**
 * Runs `e2v analyze`.
 * @returns 0 when every file succeeded (or `--allow-failures`), 1 otherwise, 130 after Ctrl-C
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
      embedding: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      'save-outputs': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      resume: { type: 'boolean', default: false },
      'allow-failures': { type: 'boolean', default: false },
      ...PLUGIN_FLAGS,
    },
  });
  const granularity = values.granularity as Granularity;
  if (granularity !== 'utterance' && granularity !== 'frame') throw new UsageError(`--granularity must be utterance or frame, not '${values.granularity}'`);
  if (positionals.length === 0) throw new UsageError('e2v analyze needs files, folders or glob patterns');
  const needsOut = (['resume', 'csv', 'save-outputs'] as const).find((flag) => values[flag]);
  if (needsOut !== undefined && values.out === undefined) throw new UsageError(`--${needsOut} needs --out DIR`);
  const concurrency = integerFlag(values.concurrency, '--concurrency', 1, 64) ?? 2;
  const threads = integerFlag(values.threads, '--threads', 1, 256);
  const variantRequest = variantFlag(values.variant, values.int8);
  const files = await expandInputs(positionals);

  const model = modelFolder(values.model, resolveModelsDir(values['models-dir']));
  const engine = await Engine.load(model.dir, { ...(threads === undefined ? {} : { threads }), variant: variantRequest, queueDepth: concurrency + 1 });
  const { name, variant, labels } = engine.info;
  const store = values.out === undefined ? null : await BatchStore.open(values.out, values.csv ? labels.map((l) => l.key) : null);
  const progress = new BatchProgress(io.stderr, { isTTY: io.stderrIsTTY === true });
  const pluginLevels = { info: false };
  const plugins = await loadCliPlugins(values, lineLogger((line) => progress.note(line), pluginLevels)).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  const counts: BatchCounts = { done: 0, failed: 0, skipped: 0, total: files.length, audioSeconds: 0 };
  const summary: BatchSummary = { total: files.length, analyzed: 0, failed: [], skipped: 0, notStarted: 0, audioSeconds: 0, elapsedS: 0, emotions: new Map(), plugins: {} };
  const started = performance.now();

  const analyzeOne = async (file: string): Promise<void> => {
    let sha256: string | null = null;
    try {
      const bytes = await readFile(file);
      sha256 = createHash('sha256').update(bytes).digest('hex');
      const key = `${sha256}:${granularity}:${values.embedding ? 'embedding' : 'scores'}:${name}:${variant}`;
      if (store?.doneKeys.has(key)) {
        counts.skipped += 1;
        summary.skipped += 1;
        return;
      }
      const run = () => engine.analyze(bytes, { granularity, embedding: values.embedding, ...(values['save-outputs'] && store !== null ? { outputDir: store.outputsDir } : {}) });
      const analysis =
        plugins === undefined ? await run() : await analyzeWithPlugins(plugins, { id: key, input: { name: file }, options: { granularity, embedding: values.embedding } }, run);
      const embeddingPath = store !== null && values.embedding ? await saveEmbedding(join(values.out!, 'embeddings'), sha256, analysis) : null;
      await store?.addResult({ file, sha256, key, result: analysis.result, output_dir: analysis.outputDir, ...(embeddingPath === null ? {} : { embedding_npy: embeddingPath }) });
      if (values.json) io.stdout(`${JSON.stringify({ file, ...analysis.result })}\n`);
      counts.done += 1;
      counts.audioSeconds += analysis.result.audio.duration_s;
      summary.analyzed += 1;
      summary.audioSeconds += analysis.result.audio.duration_s;
      summary.emotions.set(analysis.result.emotion, (summary.emotions.get(analysis.result.emotion) ?? 0) + 1);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const failure = { code: typeof code === 'string' ? code : 'E2V_ERR_CLI_FILE', message: (error as Error).message.split('\n')[0] ?? String(error) };
      counts.failed += 1;
      summary.failed.push({ file, ...failure });
      progress.note(`failed: ${file}: ${failure.code}: ${failure.message}`);
      await store?.addError({ file, sha256, error: failure });
    } finally {
      progress.update(counts);
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length && io.signal?.aborted !== true) await analyzeOne(files[next++]!);
  };
  try {
    progress.update(counts);
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  } finally {
    await store?.flush();
    pluginLevels.info = true; // show what plugins do while they finish (e.g. alerts still being delivered)
    summary.plugins = (await plugins?.close()) ?? {};
    await engine.close();
    progress.finish();
  }
  summary.notStarted = files.length - next;
  summary.elapsedS = (performance.now() - started) / 1000;
  io.stderr(formatSummary(summary));
  if (io.signal?.aborted === true) {
    io.stderr(`e2v: interrupted; ${summary.notStarted} files not started${values.out === undefined ? '' : ' (run again with --resume to continue)'}\n`);
    return EXIT_INTERRUPTED;
  }
  return summary.failed.length === 0 || values['allow-failures'] ? EXIT.ok : EXIT.failure;
}
