/**
 * @e2v/queue: e2v on BullMQ + Redis. Jobs name their model (one queue per model identity) and
 * carry their audio under a Redis key with a TTL; {@link AnalysisWorker} runs them with a local
 * engine, {@link AnalysisClient} submits them and collects outcomes, {@link queueStatus} reads
 * the counts, the workers and the throughput.
 * @module
 */
export { AnalysisClient, type AnalysisClientOptions, type AnalysisRequest } from './analysis-client.js';
export { AnalysisWorker, type AnalysisWorkerOptions } from './analysis-worker.js';
export { QueueError, RemoteAnalysisError, type QueueErrorCode } from './errors.js';
export { HEARTBEAT_MS, type WorkerRecord } from './heartbeat.js';
export { JOB_ATTEMPTS, JOB_TTL_S, MAX_AUDIO_BYTES, type AnalyzeJobOptions } from './job.js';
export type { JobEmbedding, JobOutcome } from './job-outcome.js';
export { modelIdentity, queueName, type ModelIdentity } from './model-identity.js';
export { queueStatus, THROUGHPUT_MINUTES, type ModelQueueStatus, type QueueStatus } from './queue-status.js';
export { connectRedis, redactRedisUrl, REDIS_URL_ENV, resolveRedisUrl } from './redis-url.js';
