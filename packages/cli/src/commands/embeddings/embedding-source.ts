/**
 * Embedding vectors of audio files and `.npy` files, for `e2v similarity` and `e2v cluster`:
 * audio goes through the engine (utterance embedding, `(D,)`), `.npy` files are read as they are
 * (`(D,)`, or `(T', D)` averaged over frames). The engine is loaded only when some input is audio.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { Result } from '@e2v/core';
import type { Engine } from '@e2v/engine';
import { readNpy } from '@e2v/npy';
import { embeddingVector } from '@e2v/plugins';

/** The vector of one input, and the Result when it was audio. */
export interface EmbeddedInput {
  file: string;
  vector: number[];
  result: Result | null;
}

/** Opens the engine when first needed. */
export type EngineOpener = () => Promise<Engine>;

/**
 * Embeds every input, in order.
 * @param files audio or .npy files
 * @param openEngine loads the model (called at most once, only for audio)
 * @returns the vectors and, when an engine was opened, a function closing it
 * @throws the engine's or the .npy reader's errors, with the file name in the message
 */
export async function embedInputs(files: readonly string[], openEngine: EngineOpener): Promise<{ inputs: EmbeddedInput[]; close: () => Promise<void> }> {
  let engine: Engine | undefined;
  const inputs: EmbeddedInput[] = [];
  try {
    for (const file of files) {
      const bytes = new Uint8Array(await readFile(file));
      try {
        if (file.toLowerCase().endsWith('.npy')) {
          const npy = readNpy(bytes);
          inputs.push({ file, vector: embeddingVector({ data: npy.data as ArrayLike<number>, shape: npy.shape }), result: null });
        } else {
          engine ??= await openEngine();
          const { result, embedding } = await engine.analyze(bytes, { embedding: true });
          inputs.push({ file, vector: Array.from(embedding!.data), result });
        }
      } catch (error) {
        (error as Error).message = `${file}: ${(error as Error).message}`;
        throw error;
      }
    }
  } catch (error) {
    await engine?.close();
    throw error;
  }
  return { inputs, close: async () => engine?.close() };
}
