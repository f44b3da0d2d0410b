/**
 * One analysis with the plugins around it, as the server, the CLI and library users run it:
 * `beforeAnalyze` (a veto stops the analysis with {@link PluginVetoError}), the analysis, then
 * `onResult` (the result gains `plugins`; an outputs folder's result.json is rewritten
 * atomically so it holds them too) or `onError` (the error is passed on unchanged).
 * @module
 */
import { join } from 'node:path';
import { formatResultJson, OUTPUT_FILES, type Analysis } from '@e2v/engine';
import { writeFileAtomic } from '@e2v/core';
import { PluginVetoError } from './errors.js';
import type { PluginHost } from './host.js';
import type { AnalysisContext, ResultWithPlugins } from './types.js';

/** An Analysis whose result carries the plugins' outputs. */
export interface AnalysisWithPlugins extends Analysis {
  result: ResultWithPlugins;
}

/**
 * Runs `analyze` between the host's hooks.
 * @param host the plugin host
 * @param context the analysis id, input name and options the plugins see
 * @param analyze runs the analysis (e.g. `() => engine.analyze(bytes, options)`)
 * @throws PluginVetoError when a plugin refuses; the analysis's own errors otherwise
 * @example
 * const { result } = await analyzeWithPlugins(host, { id: sha256, input: { name: file }, options: { granularity } },
 *   () => engine.analyze(bytes, { granularity }));
 */
export async function analyzeWithPlugins(host: PluginHost, context: AnalysisContext, analyze: () => Promise<Analysis>): Promise<AnalysisWithPlugins> {
  const before = await host.beforeAnalyze(context);
  if (before.vetoed !== undefined) throw new PluginVetoError(before.vetoed.reason, { plugin: before.vetoed.plugin });
  let analysis: Analysis;
  try {
    analysis = await analyze();
  } catch (error) {
    await host.onError(error, context);
    throw error;
  }
  const result = await host.onResult(analysis.result, { ...context, annotations: before.annotations, failures: before.failures, embedding: analysis.embedding });
  if (analysis.outputDir !== null) await writeFileAtomic(join(analysis.outputDir, OUTPUT_FILES.result), formatResultJson(result));
  return { ...analysis, result };
}
