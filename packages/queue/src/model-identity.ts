/**
 * Which model a job is for: the sha256 of the model's source files (model.json
 * `source.sha256`, the checkpoint the folder was converted from) and the graph variant. Two
 * folders converted from the same checkpoint serve the same jobs; any other model never does.
 * Each identity has its own BullMQ queue, so a worker only ever sees jobs for its model.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, parseManifest, type ModelManifest, type ModelVariant } from '@e2v/core';
import { QueueError } from './errors.js';

/** The prefix of every Redis key e2v writes (BullMQ's `prefix`). */
export const KEY_PREFIX = 'e2v';

/** The model a job names. */
export interface ModelIdentity {
  /** 16 hex digits of sha256(source files' sha256 + variant). */
  id: string;
  /** model.json `name`. */
  name: string;
  variant: ModelVariant;
  /** The label keys in logits order (the CSV columns). */
  labels: string[];
}

/** The BullMQ queue name of a model identity (`analyze-<id>`; Redis keys `e2v:analyze-<id>:…`). */
export function queueName(identity: Pick<ModelIdentity, 'id'>): string {
  return `analyze-${identity.id}`;
}

/**
 * The variant jobs are run with: the one asked for, or for `auto` the folder's default variant
 * (the same on every machine, unlike the engine's per-CPU choice, so submitters and workers agree).
 */
export function queueVariant(manifest: Pick<ModelManifest, 'variant'>, request: ModelVariant | 'auto'): ModelVariant {
  return request === 'auto' ? manifest.variant : request;
}

/**
 * Reads a model folder's identity.
 * @param modelDir the model folder
 * @param request the variant asked for (`auto`: the folder's default)
 * @throws ManifestError for a model.json that cannot be read or parsed
 * @throws QueueError `E2V_ERR_QUEUE_MODEL` when model.json has no `source.sha256`
 */
export async function modelIdentity(modelDir: string, request: ModelVariant | 'auto'): Promise<ModelIdentity> {
  const text = await readFile(join(modelDir, MANIFEST_FILE), 'utf8').catch((cause: unknown) => {
    throw new QueueError('E2V_ERR_QUEUE_MODEL', `cannot read ${join(modelDir, MANIFEST_FILE)}: ${(cause as Error).message}`, { cause });
  });
  const manifest = parseManifest(text, modelDir);
  const source = (JSON.parse(text) as { source?: { sha256?: unknown } }).source?.sha256;
  const entries = typeof source === 'object' && source !== null ? Object.entries(source).filter(([, sha]) => typeof sha === 'string') : [];
  if (entries.length === 0)
    throw new QueueError('E2V_ERR_QUEUE_MODEL', `${join(modelDir, MANIFEST_FILE)} has no source.sha256: convert the model again to serve it from a queue`);
  const variant = queueVariant(manifest, request);
  const hash = createHash('sha256').update(JSON.stringify([entries.sort(([a], [b]) => a.localeCompare(b)), variant]));
  return { id: hash.digest('hex').slice(0, 16), name: manifest.name, variant, labels: manifest.labels.map((l) => l.key) };
}
