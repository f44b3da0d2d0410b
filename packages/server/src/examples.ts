/**
 * The example inputs offered by the page, the Gradio examples table and `/api/v1/examples`:
 * audio made for the project (assets/examples, see its README).
 * @module
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Granularity } from '@e2v/core';

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

/** The REST route of the examples (`GET /api/v1/examples` lists them). */
const EXAMPLES_ROUTE = '/api/v1/examples';

/** Where `GET` serves an example's audio, below the server's root URL (no server path in it). */
export function exampleRoute(index: number): string {
  return `${EXAMPLES_ROUTE}/${index}`;
}

/**
 * The example whose {@link exampleRoute} URL under `root` a client sent back (what /info's
 * `example_input` shows), or undefined for any other value. Nothing is fetched.
 * @param url the value the client sent
 * @param root root URL of the request
 */
export function exampleAtUrl(url: string, root: string): Example | undefined {
  const prefix = `${root}${EXAMPLES_ROUTE}/`;
  if (!url.startsWith(prefix) || !/^\d+$/.test(url.slice(prefix.length))) return undefined;
  return EXAMPLES[Number(url.slice(prefix.length))];
}

/** Absolute path of an example's audio inside `examplesDir`. */
export function examplePath(examplesDir: string, example: Example): string {
  return join(examplesDir, example.file);
}
