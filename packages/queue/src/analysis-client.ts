/**
 * The submitting side (the batch CLI, later the server): sends an input to the queue of its
 * model and waits for its outcome. The audio goes under its own key with a TTL, the job is added
 * under its content id (a resubmission finds the job already there, finished or not, and a job
 * that failed on an infrastructure error is retried once more), and the outcome is read from the
 * job itself, woken by BullMQ's queue events and checked on a timer too, so an event lost while
 * Redis was away never leaves a caller waiting. While Redis is away the connection retries with
 * backoff; after `unavailableAfterMs` without it, every waiting call fails with
 * `E2V_ERR_QUEUE_UNAVAILABLE`.
 * @module
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueError } from './errors.js';
import { analyzeJobId, analyzeJobOptions, audioKey, JOB_TTL_S, MAX_AUDIO_BYTES, type AnalyzeJobData, type AnalyzeJobOptions } from './job.js';
import { decodeOutcome, failureOf, isBadInput, type JobOutcome, type StoredOutcome } from './job-outcome.js';
import { KEY_PREFIX, queueName, type ModelIdentity } from './model-identity.js';
import { connectRedis, redactRedisUrl } from './redis-url.js';

/** How a client is set up. */
export interface AnalysisClientOptions {
  /** A checked Redis URL. */
  url: string;
  /** The model the jobs are for. */
  identity: ModelIdentity;
  /** How long Redis may be unreachable before waiting calls fail (default 30 s). */
  unavailableAfterMs?: number;
  /** How often waiting jobs are checked besides the events (default 1 s). */
  checkEveryMs?: number;
  /** Told about connection errors (messages without credentials). */
  onConnectionError?: (message: string) => void;
}

/** One input to analyze. */
export interface AnalysisRequest {
  bytes: Uint8Array;
  /** sha256 of `bytes` (hex). */
  sha256: string;
  /** A name for it (the file name), for plugins and logs in the worker. */
  name: string;
  options: AnalyzeJobOptions;
}

/** A call waiting for its job. */
interface Waiting {
  jobId: string;
  data: AnalyzeJobData;
  /** False until the first look at the job after it was added. */
  seen: boolean;
  resolve: (outcome: JobOutcome) => void;
  reject: (error: Error) => void;
}

/** Submits analyses to one model's queue and collects their outcomes. */
export class AnalysisClient {
  private readonly redis: Redis;
  private readonly eventsRedis: Redis;
  private readonly queue: Queue<AnalyzeJobData, StoredOutcome>;
  private readonly events: QueueEvents;
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly timer: NodeJS.Timeout;
  private readonly unavailableAfterMs: number;
  private downSince: number | null = Date.now();
  private unavailable: QueueError | null = null;

  /** @param options where Redis is and which model the jobs are for */
  constructor(private readonly options: AnalysisClientOptions) {
    this.unavailableAfterMs = options.unavailableAfterMs ?? 30_000;
    this.redis = connectRedis(options.url, options.onConnectionError);
    this.eventsRedis = connectRedis(options.url, options.onConnectionError);
    this.redis.on('ready', () => (this.downSince = null));
    this.redis.on('close', () => (this.downSince ??= Date.now()));
    const name = queueName(options.identity);
    this.queue = new Queue(name, { connection: this.redis, prefix: KEY_PREFIX });
    this.events = new QueueEvents(name, { connection: this.eventsRedis, prefix: KEY_PREFIX });
    this.queue.on('error', () => undefined);
    this.events.on('error', () => undefined);
    this.events.on('completed', ({ jobId }) => void this.check(jobId));
    this.events.on('failed', ({ jobId }) => void this.check(jobId));
    this.timer = setInterval(() => this.tick(), options.checkEveryMs ?? 1000);
  }

  /**
   * Analyzes one input in a worker serving this model.
   * @returns the Result and the embedding when asked
   * @throws QueueError `E2V_ERR_QUEUE_PAYLOAD_TOO_LARGE` (over {@link MAX_AUDIO_BYTES}), `E2V_ERR_QUEUE_UNAVAILABLE`
   * @throws RemoteAnalysisError the job's failure, with the worker's code
   */
  analyze(request: AnalysisRequest): Promise<JobOutcome> {
    if (this.unavailable !== null) return Promise.reject(this.unavailable);
    if (request.bytes.byteLength > MAX_AUDIO_BYTES) {
      return Promise.reject(
        new QueueError('E2V_ERR_QUEUE_PAYLOAD_TOO_LARGE', `${request.bytes.byteLength} bytes of audio is more than a job carries (${MAX_AUDIO_BYTES} bytes)`),
      );
    }
    const jobId = analyzeJobId(request.sha256, request.options, this.options.identity);
    const data: AnalyzeJobData = {
      sha256: request.sha256,
      audioKey: audioKey(request.sha256),
      name: request.name,
      options: request.options,
      model: this.options.identity.id,
    };
    return new Promise<JobOutcome>((resolve, reject) => {
      const entry: Waiting = { jobId, data, seen: false, resolve, reject };
      this.waiting.set(jobId, [...(this.waiting.get(jobId) ?? []), entry]);
      this.submit(request.bytes, data, jobId).then(
        () => this.check(jobId),
        (error: unknown) => this.settle(jobId, (w) => w.reject(error as Error)),
      );
    });
  }

  /**
   * Stops waiting (pending calls are left unsettled) and closes the connections; while Redis is
   * away it does not wait for BullMQ's close (which would wait for Redis) and drops them.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const closing = Promise.allSettled([this.queue.close(), this.events.close()]);
    if (this.downSince === null) await closing;
    this.redis.disconnect();
    this.eventsRedis.disconnect();
  }

  /** Stores the audio (its TTL renewed) and adds the job (nothing happens when it exists). */
  private async submit(bytes: Uint8Array, data: AnalyzeJobData, jobId: string): Promise<void> {
    await this.redis.set(data.audioKey, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', JOB_TTL_S);
    await this.queue.add('analyze', data, analyzeJobOptions(jobId));
  }

  /** Looks at a waited-for job and settles its callers when it has finished; never throws. */
  private async check(jobId: string): Promise<void> {
    const entries = this.waiting.get(jobId);
    if (entries === undefined) return;
    const firstLook = entries.some((w) => !w.seen);
    for (const w of entries) w.seen = true;
    try {
      // the state first, then the job: a job read before its state could predate its return value
      const state = await this.queue.getJobState(jobId);
      const job = state === 'unknown' ? undefined : await Job.fromId<AnalyzeJobData, StoredOutcome>(this.queue, jobId);
      if (job === undefined) {
        // removed since it was added (its record expired): add it again
        await this.queue.add('analyze', entries[0]!.data, analyzeJobOptions(jobId));
      } else if (state === 'completed' && job.returnvalue !== null && job.returnvalue !== undefined) {
        const outcome = decodeOutcome(job.returnvalue);
        this.settle(jobId, (w) => w.resolve(outcome));
      } else if (state === 'failed') {
        const failure = failureOf(job.failedReason);
        // failed before this submission, on an infrastructure error: once more
        if (firstLook && !isBadInput(failure.code)) await job.retry('failed');
        else this.settle(jobId, (w) => w.reject(failure));
      }
    } catch {
      // Redis away: the timer looks again
    }
  }

  /** Settles and forgets every caller of a job. */
  private settle(jobId: string, how: (w: Waiting) => void): void {
    const entries = this.waiting.get(jobId) ?? [];
    this.waiting.delete(jobId);
    for (const w of entries) how(w);
  }

  /** Checks every waiting job; fails them all once Redis has been away too long. */
  private tick(): void {
    if (this.downSince !== null && Date.now() - this.downSince > this.unavailableAfterMs) {
      this.unavailable ??= new QueueError(
        'E2V_ERR_QUEUE_UNAVAILABLE',
        `Redis at ${redactRedisUrl(this.options.url)} unreachable for more than ${Math.round(this.unavailableAfterMs / 1000)} s`,
      );
      for (const jobId of [...this.waiting.keys()]) this.settle(jobId, (w) => w.reject(this.unavailable!));
      return;
    }
    if (this.downSince === null) for (const jobId of this.waiting.keys()) void this.check(jobId);
  }
}
