/**
 * The local {@link Analyst}: one engine in this process.
 * @module
 */
import { Engine, type EngineOptions } from '@e2v/engine';
import type { Analyst } from './analyst.js';

/**
 * Loads the engine and wraps it.
 * @param modelDir the model folder
 * @param options the engine's options (threads, variant, queue depth, longest input)
 */
export async function engineAnalyst(modelDir: string, options: EngineOptions): Promise<Analyst> {
  const engine = await Engine.load(modelDir, options);
  const { name, variant, labels } = engine.info;
  return {
    model: { name, variant },
    labels: labels.map((l) => l.key),
    analyze: ({ bytes }, analyzeOptions) => engine.analyzeStaged(bytes, analyzeOptions),
    close: () => engine.close(),
  };
}
