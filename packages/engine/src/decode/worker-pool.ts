/**
 * A small pool of decode worker threads with a deadline per job. A job that passes its deadline
 * has its worker terminated (the only way to stop a WASM decoder spinning on bad input), so a
 * corrupt file always fails in bounded time. Idle workers are unref'd and stopped after
 * `idleTimeoutMs`, so they never keep the process alive; a worker whose decoder threw is
 * replaced, since its WASM state may be damaged.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { siblingWorkerScript } from '../worker-script.js';
import { AudioDecodeError } from '../errors.js';
import {
  errorFromReply,
  STREAM_WINDOW,
  type ChunkAck,
  type DecodedOutput,
  type DecodeReply,
  type DecodeRequest,
  type WorkerMessage,
} from './worker-protocol.js';

/** Pool sizing. */
export interface WorkerPoolOptions {
  /** Most workers running at once; further jobs wait in a queue. */
  maxWorkers: number;
  /** An idle worker is stopped after this long. */
  idleTimeoutMs: number;
}

/** Takes each chunk of a `stream16k` decode, in order; the next waits until its promise settles. */
export type ChunkConsumer = (samples: Float32Array) => void | Promise<void>;

/** A job waiting for, or running on, a worker. */
interface Job {
  request: Omit<DecodeRequest, 'id'>;
  timeoutMs: number;
  onChunk: ChunkConsumer | undefined;
  resolve: (audio: DecodedOutput) => void;
  reject: (error: Error) => void;
}

/** A job on a worker, with its deadline and the chunks it has streamed. */
interface RunningJob extends Job {
  id: number;
  /** Pending deadline, or undefined while paused (the consumer holds a full window of chunks). */
  timer: NodeJS.Timeout | undefined;
  /** Deadline time left when the timer last started. */
  remainingMs: number;
  /** When the timer last started. */
  timerStarted: number;
  /** Chunks received and not yet consumed. */
  unacked: number;
  /** The consumer's work on every chunk so far, in order. */
  consumed: Promise<void>;
}

interface Slot {
  worker: Worker;
  job: RunningJob | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

/** Runs decode jobs on worker threads, at most `maxWorkers` at a time. */
export class DecodeWorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;

  /** @param options pool sizing */
  constructor(private readonly options: WorkerPoolOptions) {}

  /**
   * Decodes on a worker. `request.bytes` must own its whole buffer, which is transferred to the
   * worker (detached here). The deadline `timeoutMs` starts when a worker takes the job (time in
   * the queue does not count). Rejects with {@link AudioDecodeError}: the worker's typed error,
   * TIMEOUT (worker terminated), or DECODER_CRASHED (worker died).
   *
   * A `stream16k` request hands each chunk to `onChunk` in order and settles once the last one
   * is consumed. Time the consumer holds {@link STREAM_WINDOW} chunks (the decoder waiting) does
   * not count against the deadline; an error thrown by `onChunk` stops the decode (its worker is
   * terminated) and rejects with that error.
   */
  run(request: Omit<DecodeRequest, 'id'>, timeoutMs: number, onChunk?: ChunkConsumer): Promise<DecodedOutput> {
    if ((request.output === 'stream16k') !== (onChunk !== undefined)) throw new TypeError('run: a stream16k request needs onChunk, and only it');
    return new Promise<DecodedOutput>((resolve, reject) => {
      this.queue.push({ request, timeoutMs, onChunk, resolve, reject });
      this.dispatch();
    });
  }

  /** Number of live workers (busy or idle). */
  get size(): number {
    return this.slots.size;
  }

  /** Stops every worker; jobs still running fail with DECODER_CRASHED, queued jobs too. */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(crashed('the decoder pool was closed'));
    await Promise.all([...this.slots].map((slot) => this.kill(slot, crashed('the decoder pool was closed'))));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => s.job === undefined);
      if (!slot) {
        if (this.slots.size >= this.options.maxWorkers) return;
        slot = this.spawn();
      }
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const { script, options } = siblingWorkerScript(import.meta.url, 'worker');
    const worker = new Worker(script, options);
    const slot: Slot = { worker, job: undefined, idleTimer: undefined };
    this.slots.add(slot);
    worker.on('message', (message: WorkerMessage) => this.onMessage(slot, message));
    worker.on('error', (error: Error & { code?: string }) => {
      const what = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory' : `failed: ${error.message}`;
      void this.kill(slot, crashed(`the decoder thread ${what}`, error));
    });
    worker.on('exit', (code) => {
      if (this.slots.has(slot)) void this.kill(slot, crashed(`the decoder thread exited with code ${code}`));
    });
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    const id = this.nextId++;
    const running: RunningJob = { ...job, id, timer: undefined, remainingMs: job.timeoutMs, timerStarted: 0, unacked: 0, consumed: Promise.resolve() };
    slot.job = running;
    this.resumeDeadline(slot, running);
    slot.worker.ref();
    const { bytes } = job.request;
    slot.worker.postMessage({ ...job.request, id } satisfies DecodeRequest, [bytes.buffer as ArrayBuffer]);
  }

  private resumeDeadline(slot: Slot, job: RunningJob): void {
    job.timerStarted = performance.now();
    job.timer = setTimeout(() => {
      const error = new AudioDecodeError('E2V_ERR_AUDIO_TIMEOUT', `decoding ${job.request.format} took longer than ${job.timeoutMs} ms and was stopped`, {
        format: job.request.format,
      });
      void this.kill(slot, error);
    }, job.remainingMs);
  }

  private pauseDeadline(job: RunningJob): void {
    clearTimeout(job.timer);
    job.timer = undefined;
    job.remainingMs = Math.max(0, job.remainingMs - (performance.now() - job.timerStarted));
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    if ('chunk' in message) this.onChunk(slot, job, message.chunk);
    else this.onReply(slot, job, message);
  }

  /** Queues a chunk for the consumer; acknowledges it once consumed. */
  private onChunk(slot: Slot, job: RunningJob, chunk: Float32Array): void {
    job.unacked += 1;
    if (job.unacked >= STREAM_WINDOW && job.timer !== undefined) this.pauseDeadline(job);
    job.consumed = job.consumed.then(async () => {
      if (slot.job !== job) return; // stopped (deadline, crash): the rest is not wanted
      await job.onChunk!(chunk);
      if (slot.job !== job) return;
      job.unacked -= 1;
      if (job.timer === undefined && job.unacked < STREAM_WINDOW) this.resumeDeadline(slot, job);
      slot.worker.postMessage({ id: job.id, ack: true } satisfies ChunkAck);
    });
    job.consumed.catch((error: unknown) => {
      if (slot.job === job) void this.kill(slot, error as Error);
    });
  }

  private onReply(slot: Slot, job: RunningJob, reply: DecodeReply): void {
    clearTimeout(job.timer);
    slot.job = undefined;
    if (reply.ok) {
      const { id: _id, ok: _ok, ...output } = reply;
      // the job settles once the consumer has taken every chunk (a consumer error rejects it)
      job.consumed.then(
        () => job.resolve(output),
        (error: unknown) => job.reject(error as Error),
      );
    } else {
      job.reject(errorFromReply(reply));
    }
    if (!reply.ok && reply.recycle) {
      void this.kill(slot);
    } else {
      slot.worker.unref();
      slot.idleTimer = setTimeout(() => void this.kill(slot), this.options.idleTimeoutMs);
      slot.idleTimer.unref();
    }
    this.dispatch();
  }

  /** Removes a worker, failing its running job with `error`, and terminates it. */
  private async kill(slot: Slot, error?: Error): Promise<void> {
    if (!this.slots.delete(slot)) return;
    clearTimeout(slot.idleTimer);
    const job = slot.job;
    slot.job = undefined;
    if (job) {
      clearTimeout(job.timer);
      job.reject(error ?? crashed('the decoder thread was stopped'));
    }
    this.dispatch();
    await slot.worker.terminate();
  }
}

function crashed(message: string, cause?: unknown): AudioDecodeError {
  return new AudioDecodeError('E2V_ERR_AUDIO_DECODER_CRASHED', `Audio decoding failed: ${message}`, { cause });
}
