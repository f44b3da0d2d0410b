/**
 * The example inputs offered by the page, the Gradio examples table and `/api/v1/examples`:
 * audio made for the project (assets/examples, see its README).
 * @module
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Granularity } from '@e2v/engine';

/** The folder of the shipped example audio. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../assets/examples/', import.meta.url));

/** One example row. */
export interface Example {
  /** File name inside the examples folder. */
  file: string;
  granularity: Granularity;
  embedding: boolean;
}

/** The examples, in table order. */
export const EXAMPLES: readonly Example[] = Object.freeze([
  { file: 'example.wav', granularity: 'utterance', embedding: false },
  { file: 'example.wav', granularity: 'frame', embedding: true },
]);

/** Absolute path of an example's audio inside `examplesDir`. */
export function examplePath(examplesDir: string, example: Example): string {
  return join(examplesDir, example.file);
}
