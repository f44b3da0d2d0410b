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
import type { RawAudio } from './codecs.js';
import { errorFromReply, type DecodeReply, type DecodeRequest } from './worker-protocol.js';

/** Pool sizing. */
export interface WorkerPoolOptions {
  /** Most workers running at once; further jobs wait in a queue. */
  maxWorkers: number;
  /** An idle worker is stopped after this long. */
  idleTimeoutMs: number;
}

/** A job waiting for, or running on, a worker. */
interface Job {
  request: Omit<DecodeRequest, 'id'>;
  timeoutMs: number;
  resolve: (audio: RawAudio) => void;
  reject: (error: AudioDecodeError) => void;
}

interface Slot {
  worker: Worker;
  job: (Job & { id: number; timer: NodeJS.Timeout }) | undefined;
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
   */
  run(request: Omit<DecodeRequest, 'id'>, timeoutMs: number): Promise<RawAudio> {
    return new Promise<RawAudio>((resolve, reject) => {
      this.queue.push({ request, timeoutMs, resolve, reject });
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
    worker.on('message', (reply: DecodeReply) => this.onReply(slot, reply));
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
    const timer = setTimeout(() => {
      const error = new AudioDecodeError(
        'E2V_ERR_AUDIO_TIMEOUT',
        `decoding ${job.request.format} took longer than ${job.timeoutMs} ms and was stopped`,
        { format: job.request.format },
      );
      void this.kill(slot, error);
    }, job.timeoutMs);
    slot.job = { ...job, id, timer };
    slot.worker.ref();
    const { bytes } = job.request;
    slot.worker.postMessage({ ...job.request, id } satisfies DecodeRequest, [bytes.buffer as ArrayBuffer]);
  }

  private onReply(slot: Slot, reply: DecodeReply): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    clearTimeout(job.timer);
    slot.job = undefined;
    if (reply.ok) job.resolve({ channels: reply.channels, sampleRate: reply.sampleRate });
    else job.reject(errorFromReply(reply));
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
  private async kill(slot: Slot, error?: AudioDecodeError): Promise<void> {
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
