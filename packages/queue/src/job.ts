/**
 * One analysis job: what it asks (options), its id (content + options + model, so a
 * resubmission or a retry is the same job), where its audio is (a Redis key of its own with a
 * TTL, never inside the job data) and the BullMQ options every job is added with.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Granularity } from '@e2v/core';
import type { JobsOptions } from 'bullmq';
import { KEY_PREFIX, type ModelIdentity } from './model-identity.js';

/** Largest audio a job carries: 64 MiB (about an hour of 16 kHz PCM16, many hours of compressed audio). */
export const MAX_AUDIO_BYTES = 64 * 1024 * 1024;

/** How long a job's audio and its finished record stay in Redis: one day. */
export const JOB_TTL_S = 24 * 3600;

/** Attempts of a job that fails on an infrastructure error (a bad input fails at once). */
export const JOB_ATTEMPTS = 3;

/** The analysis options a job carries. */
export interface AnalyzeJobOptions {
  granularity: Granularity;
  /** Frame granularity: seconds of the smoothing window. */
  windowS: number;
  embedding: boolean;
}

/** A job's data (small: the audio is under {@link AnalyzeJobData.audioKey}). */
export interface AnalyzeJobData {
  /** sha256 of the audio bytes (hex). */
  sha256: string;
  /** The Redis key holding the audio bytes. */
  audioKey: string;
  /** A name for the input (the first submitter's file name), for plugins and logs. */
  name: string;
  options: AnalyzeJobOptions;
  /** The model identity the job is for (its queue's). */
  model: string;
}

/** The Redis key of audio with this sha256 (shared by every job on the same bytes). */
export function audioKey(sha256: string): string {
  return `${KEY_PREFIX}:audio:${sha256}`;
}

/** The job id: sha256 of content hash + options + model identity, as `j<hex>`. */
export function analyzeJobId(sha256: string, options: AnalyzeJobOptions, identity: Pick<ModelIdentity, 'id'>): string {
  const canonical = JSON.stringify([sha256, options.granularity, options.granularity === 'frame' ? options.windowS : null, options.embedding, identity.id]);
  return `j${createHash('sha256').update(canonical).digest('hex')}`;
}

/**
 * The BullMQ options of a job: its id, retries with exponential backoff (from 1 s), and
 * finished jobs kept for {@link JOB_TTL_S} so that resubmitting finds their record.
 */
export function analyzeJobOptions(jobId: string): JobsOptions {
  return {
    jobId,
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: JOB_TTL_S },
    removeOnFail: { age: JOB_TTL_S },
  };
}
