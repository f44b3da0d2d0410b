/**
 * The worker side: takes jobs from its model's queue only and runs them with the local engine
 * (and plugins). The job's audio is read from its Redis key; the outcome returned holds the
 * Result and the embedding. A bad input fails the job at once, any other failure is retried
 * with backoff; a worker killed mid-job loses its lock and BullMQ's stalled-job check hands the
 * job to another worker. Closing finishes the jobs in hand and takes no new one.
 * @module
 */
import type { Engine } from '@e2v/engine';
import { analyzeWithPlugins, type PluginHost } from '@e2v/plugins';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueError } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import type { AnalyzeJobData } from './job.js';
import { encodeOutcome, jobFailure, type StoredOutcome } from './job-outcome.js';
import { KEY_PREFIX, queueName, type ModelIdentity } from './model-identity.js';
import { connectRedis } from './redis-url.js';

/** How a worker is set up. */
export interface AnalysisWorkerOptions {
  /** A checked Redis URL. */
  url: string;
  engine: Engine;
  /** The identity of the engine's model (see modelIdentity). */
  identity: ModelIdentity;
  plugins?: PluginHost;
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, in ms (default 30 s; renewed every half): a
   * killed worker's job is taken over after about this long.
   */
  lockMs?: number;
  /** Told about each job and connection problem (lines without credentials). */
  log?: (line: string) => void;
}

/** Runs analysis jobs of one model from Redis. */
export class AnalysisWorker {
  private readonly redis: Redis;
  private readonly workerRedis: Redis;
  private readonly worker: Worker<AnalyzeJobData, StoredOutcome>;
  private readonly heartbeat: Heartbeat;
  private readonly log: (line: string) => void;

  /** @param options engine, model identity, Redis URL and limits; starts taking jobs at once */
  constructor(private readonly options: AnalysisWorkerOptions) {
    this.log = options.log ?? (() => undefined);
    const concurrency = options.concurrency ?? 1;
    const lockMs = options.lockMs ?? 30_000;
    this.redis = connectRedis(options.url, (message) => this.log(`redis: ${message}`));
    this.workerRedis = connectRedis(options.url);
    this.worker = new Worker<AnalyzeJobData, StoredOutcome>(queueName(options.identity), (job) => this.process(job), {
      connection: this.workerRedis,
      prefix: KEY_PREFIX,
      concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 2,
      metrics: { maxDataPoints: 60 * 24 },
    });
    this.worker.on('error', (error) => this.log(`worker: ${error.message}`));
    this.worker.on('completed', (job) => this.finished(job, 'done'));
    this.worker.on('failed', (job, error) => this.finished(job, error.message));
    this.heartbeat = new Heartbeat(this.redis, options.identity, concurrency);
  }

  /**
   * Finishes the jobs in hand, takes no new one, then closes the connections. While Redis is away
   * nothing can be finished: it closes at once, and the jobs in hand go back to the queue when
   * their locks expire (BullMQ's stalled-job check).
   */
  async close(): Promise<void> {
    await this.worker.close(this.redis.status !== 'ready');
    await this.heartbeat.stop();
    this.redis.disconnect();
    this.workerRedis.disconnect(); // BullMQ leaves a connection it was given open
  }

  private async process(job: Job<AnalyzeJobData, StoredOutcome>): Promise<StoredOutcome> {
    const { engine, plugins } = this.options;
    try {
      const audio = await this.redis.getBuffer(job.data.audioKey);
      if (audio === null)
        throw new QueueError('E2V_ERR_QUEUE_PAYLOAD_EXPIRED', `the audio of job ${job.id} is no longer in Redis (older than its TTL): submit it again`);
      const { options } = job.data;
      const run = () =>
        engine.analyzeStaged(new Uint8Array(audio), { granularity: options.granularity, windowS: options.windowS, embedding: options.embedding });
      const context = { id: job.id!, input: { name: job.data.name }, options: { granularity: options.granularity, embedding: options.embedding } };
      const analysis = await analyzeWithPlugins(plugins, context, run);
      return encodeOutcome({ result: analysis.result, embedding: analysis.embedding });
    } catch (error) {
      throw jobFailure(error);
    }
  }

  private finished(job: Job<AnalyzeJobData, StoredOutcome> | undefined, how: string): void {
    this.heartbeat.processed += 1;
    this.log(`${job?.data.name ?? job?.id ?? 'a job'}: ${how}`);
  }
}
