/**
 * What a job gives back, as BullMQ stores it (JSON): the Result and the embedding as float32
 * little-endian bytes (base64) with its shape; and how a failure travels, as `CODE: message`
 * in the job's failed reason, a bad input marked unrecoverable so BullMQ does not retry it.
 * @module
 */
import { E2vError, type Result } from '@e2v/core';
import { UnrecoverableError } from 'bullmq';
import { RemoteAnalysisError } from './errors.js';

/** An embedding and its shape: `[D]` (utterance) or `[T', D]` (frame). */
export interface JobEmbedding {
  data: Float32Array;
  shape: [number] | [number, number];
}

/** A finished job's outcome. */
export interface JobOutcome {
  result: Result;
  embedding: JobEmbedding | null;
}

/** {@link JobOutcome} as stored in the job's return value. */
export interface StoredOutcome {
  result: Result;
  embedding: { base64: string; shape: [number] | [number, number] } | null;
}

/** The return value a worker stores. */
export function encodeOutcome(outcome: JobOutcome): StoredOutcome {
  const { embedding } = outcome;
  if (embedding === null) return { result: outcome.result, embedding: null };
  const bytes = Buffer.from(embedding.data.buffer, embedding.data.byteOffset, embedding.data.byteLength);
  return { result: outcome.result, embedding: { base64: bytes.toString('base64'), shape: embedding.shape } };
}

/** The outcome out of a stored return value. */
export function decodeOutcome(stored: StoredOutcome): JobOutcome {
  if (stored.embedding === null) return { result: stored.result, embedding: null };
  const bytes = Buffer.from(stored.embedding.base64, 'base64');
  const data = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(data.buffer).set(bytes);
  return { result: stored.result, embedding: { data, shape: stored.embedding.shape } };
}

/** Codes of failures the input causes: retrying cannot help. */
const BAD_INPUT = /^E2V_ERR_(?:AUDIO_(?!TIMEOUT)|INPUT_|QUEUE_PAYLOAD_|PLUGIN_VETO$)/;

/** True for a failure caused by the input itself (not retried). */
export function isBadInput(code: string): boolean {
  return BAD_INPUT.test(code);
}

/**
 * The error a worker's processor throws for a failed analysis: a bad input as BullMQ's
 * UnrecoverableError (no retry), anything else as a plain Error (retried with backoff); the
 * message is `CODE: first line` either way.
 */
export function jobFailure(error: unknown): Error {
  const code = error instanceof E2vError ? error.code : 'E2V_ERR_QUEUE_WORKER';
  const message = `${code}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
  return isBadInput(code) ? new UnrecoverableError(message) : new Error(message);
}

/** The typed error of a failed job, out of its failed reason. */
export function failureOf(failedReason: string): RemoteAnalysisError {
  const match = /^(E2V_ERR_[A-Z0-9_]+): (.*)$/s.exec(failedReason);
  return match === null ? new RemoteAnalysisError('E2V_ERR_QUEUE_WORKER', failedReason) : new RemoteAnalysisError(match[1] as `E2V_ERR_${string}`, match[2]!);
}
