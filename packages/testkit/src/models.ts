/**
 * Converted golden models for tests: a vitest global setup converts the golden tiny checkpoints
 * once per run with the real converter and hands the folder to the tests (`inject('e2vModels')`).
 * The converter is passed in, so this package does not depend on @e2v/convert (which tests with it).
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { checkpointDir, type GoldenCheckpoint } from './golden.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder holding the converted golden models (see {@link TEST_MODELS}). */
    e2vModels: string;
  }
}

/** Converted models: folder name -> how it is converted. */
export const TEST_MODELS = {
  // fp32 only: an engine left to choose (`variant: 'auto'`) runs fp32 on every CPU, so results
  // never depend on the machine; tiny-a-int8 holds both variants for the int8 and choice tests
  'tiny-a': { from: 'tiny-a', int8: false, maskUnusedLabels: false },
  'tiny-a-int8': { from: 'tiny-a', int8: true, maskUnusedLabels: false },
  'tiny-b-5class': { from: 'tiny-b-5class', int8: false, maskUnusedLabels: false },
  'tiny-b-5class-masked': { from: 'tiny-b-5class', int8: false, maskUnusedLabels: true },
} as const satisfies Record<string, { from: GoldenCheckpoint; int8: boolean; maskUnusedLabels: boolean }>;

/** Name of a converted test model. */
export type TestModel = keyof typeof TEST_MODELS;

/** The part of @e2v/convert's `convertCheckpoint` the setup uses. */
export type ConvertCheckpoint = (options: { from: string; out: string; int8: boolean; maskUnusedLabels: boolean; name: string }) => Promise<unknown>;

/** What vitest hands a global setup (the part used). */
export interface ProvidingProject {
  provide(key: 'e2vModels', value: string): void;
}

/**
 * A vitest global setup that converts every {@link TEST_MODELS} entry into a temporary folder,
 * provides it as `e2vModels`, and removes it after the run.
 * @example
 * // src/test-support/global-setup.ts
 * export default goldenModelsSetup(convertCheckpoint);
 */
export function goldenModelsSetup(convert: ConvertCheckpoint): (project: ProvidingProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-test-models-'));
    for (const [name, spec] of Object.entries(TEST_MODELS)) {
      await convert({ from: checkpointDir(spec.from), out: join(dir, name), int8: spec.int8, maskUnusedLabels: spec.maskUnusedLabels, name });
    }
    project.provide('e2vModels', dir);
    return async () => {
      await rm(dir, { recursive: true, force: true });
    };
  };
}

/** Path of a converted test model inside a test (read-only: copy it to change it). */
export function testModelDir(name: TestModel): string {
  return join(inject('e2vModels'), name);
}
