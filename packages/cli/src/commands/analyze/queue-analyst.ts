/**
 * The {@link Analyst} of `e2v analyze --redis`: each file becomes a job on the queue of the
 * model's identity and is analyzed by whichever `e2v worker` serving that model takes it; the
 * embedding comes back with the Result and is written to the `--out` folder here.
 * @module
 */
import { writeFileAtomic, type ModelVariant } from '@e2v/core';
import { encodeNpy } from '@e2v/npy';
import { AnalysisClient, modelIdentity } from '@e2v/queue';
import type { Analyst } from './analyst.js';

/** How the batch reaches the queue. */
export interface QueueAnalystOptions {
  /** A checked Redis URL. */
  url: string;
  /** The model folder (only model.json is read: the model's identity and labels). */
  modelDir: string;
  variant: ModelVariant | 'auto';
  /** How long Redis may be unreachable before the batch stops. */
  unavailableAfterMs: number;
  /** Told about connection errors (without credentials). */
  onConnectionError: (message: string) => void;
}

/**
 * Connects to the queue of the model in `modelDir`.
 * @throws QueueError `E2V_ERR_QUEUE_MODEL`, ManifestError for a model folder without an identity
 */
export async function queueAnalyst(options: QueueAnalystOptions): Promise<Analyst> {
  const identity = await modelIdentity(options.modelDir, options.variant);
  const client = new AnalysisClient({
    url: options.url,
    identity,
    unavailableAfterMs: options.unavailableAfterMs,
    onConnectionError: options.onConnectionError,
  });
  return {
    model: { name: identity.name, variant: identity.variant },
    labels: identity.labels,
    async analyze({ file, bytes, sha256 }, { granularity, windowS, embedding, embeddingFile }) {
      const outcome = await client.analyze({ bytes, sha256, name: file, options: { granularity, windowS, embedding } });
      // nothing is staged: the embedding file is written (atomically) when the batch commits
      return {
        ...outcome,
        async commit(result) {
          const written = embeddingFile !== undefined && outcome.embedding !== null;
          if (written) await writeFileAtomic(embeddingFile, encodeNpy(outcome.embedding!.data, outcome.embedding!.shape));
          return { ...outcome, result, embeddingFile: written ? embeddingFile : null, outputDir: null };
        },
        discard: async () => undefined,
      };
    },
    close: () => client.close(),
  };
}
