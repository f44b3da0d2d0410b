/**
 * Vitest global setup (not built into dist): converts the golden tiny checkpoints once per test
 * run into a temporary folder with the real converter, and provides the folder to the tests as
 * `inject('e2vModels')`. Conversion of both tiny models takes well under a second.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertCheckpoint } from '@e2v/convert';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder holding the converted golden models (see {@link TEST_MODELS}). */
    e2vModels: string;
  }
}

const CHECKPOINTS = fileURLToPath(new URL('../../../../test/fixtures/emotion2vec/checkpoints/', import.meta.url));

/** Converted models: folder name -> how it was converted. */
export const TEST_MODELS = {
  'tiny-a': { from: 'tiny-a', int8: true, maskUnusedLabels: false },
  'tiny-b-5class': { from: 'tiny-b-5class', int8: false, maskUnusedLabels: false },
  'tiny-b-5class-masked': { from: 'tiny-b-5class', int8: false, maskUnusedLabels: true },
} as const;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'e2v-engine-test-models-'));
  for (const [name, spec] of Object.entries(TEST_MODELS)) {
    await convertCheckpoint({ from: join(CHECKPOINTS, spec.from), out: join(dir, name), int8: spec.int8, maskUnusedLabels: spec.maskUnusedLabels, name });
  }
  project.provide('e2vModels', dir);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
