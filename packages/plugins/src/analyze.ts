/**
 * One analysis as the server, the CLI and library users run it, the one path from the engine's
 * Result through the plugins to the files: `beforeAnalyze` (a veto stops the analysis with
 * {@link PluginVetoError}), the analysis with its files staged, `onResult` (the result gains
 * `plugins`), then the files committed once, result.json holding the plugins' outputs. A failed
 * analysis, or files that cannot be committed, reach `onError`; the error is passed on unchanged.
 * @module
 */
import type { Result } from '@e2v/core';
import type { Analysis, StagedAnalysis } from '@e2v/engine';
import { PluginVetoError } from './errors.js';
import type { PluginHost } from './host.js';
import type { AnalysisContext, ResultWithPlugins } from './types.js';

/** An Analysis whose result carries the plugins' outputs. */
export interface AnalysisWithPlugins extends Analysis {
  result: ResultWithPlugins;
}

/**
 * Runs `analyze` between the hooks of `host`, then commits its files with the final Result.
 * @param host the plugin host, or undefined for none (the files are committed with the engine's Result)
 * @param context the analysis id, input name and options the plugins see
 * @param analyze runs the analysis with its files staged (e.g. `() => engine.analyzeStaged(bytes, options)`)
 * @throws PluginVetoError when a plugin refuses; the analysis's and the commit's own errors otherwise
 * @example
 * const { result, outputDir } = await analyzeWithPlugins(host, { id: sha256, input: { name: file }, options: { granularity } },
 *   () => engine.analyzeStaged(bytes, { granularity, outputDir: 'outputs' }));
 */
export function analyzeWithPlugins(host: PluginHost, context: AnalysisContext, analyze: () => Promise<StagedAnalysis>): Promise<AnalysisWithPlugins>;
export function analyzeWithPlugins(host: PluginHost | undefined, context: AnalysisContext, analyze: () => Promise<StagedAnalysis>): Promise<Analysis>;
export async function analyzeWithPlugins(host: PluginHost | undefined, context: AnalysisContext, analyze: () => Promise<StagedAnalysis>): Promise<Analysis> {
  const before = await host?.beforeAnalyze(context);
  if (before?.vetoed !== undefined) throw new PluginVetoError(before.vetoed.reason, { plugin: before.vetoed.plugin });
  const failed = async (error: unknown): Promise<never> => {
    await host?.onError(error, context);
    throw error;
  };
  let staged: StagedAnalysis;
  try {
    staged = await analyze();
  } catch (error) {
    return failed(error);
  }
  let result: Result = staged.result;
  if (host !== undefined && before !== undefined) {
    try {
      result = await host.onResult(staged.result, { ...context, annotations: before.annotations, failures: before.failures, embedding: staged.embedding });
    } catch (error) {
      await staged.discard();
      throw error;
    }
  }
  try {
    return await staged.commit(result);
  } catch (error) {
    return failed(error);
  }
}
