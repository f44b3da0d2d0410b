/**
 * One ONNX Runtime session on its own thread, with a first-in first-out job queue: jobs run one
 * at a time (a session's intra-op threads already use the cores; two runs at once would only
 * contend), waiting jobs can be cancelled, and the thread is unref'd while idle so it never
 * keeps the process alive. If the thread dies, the running job fails with
 * `E2V_ERR_INFER_CRASHED` and the next job starts a fresh thread and session.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { siblingWorkerScript } from '../worker-script.js';
import { AbortedError, InferenceError, ModelLoadError } from '../errors.js';
import { inferenceBusyFlag } from './exit-guard.js';
import type { FloatTensor, IoMeta, OrtSessionSettings, WorkerReply, WorkerRequest } from './ort-protocol.js';

/** What one run returns. */
export interface RunResult {
  /** Every graph output by name. */
  outputs: Record<string, FloatTensor>;
  /** Time ORT spent in the run, measured on the inference thread. */
  ms: number;
}

interface Job {
  waveform: Float32Array;
  signal: AbortSignal | undefined;
  resolve: (result: RunResult) => void;
  reject: (error: Error) => void;
  onAbort: (() => void) | undefined;
  /** Set once the caller has been answered (e.g. aborted while running). */
  settled: boolean;
}

/** A started thread with an open session. */
interface Thread {
  worker: Worker;
  /** Handler of the next reply. */
  onReply: ((reply: WorkerReply) => void) | undefined;
  /** Called when the thread dies unexpectedly. */
  onDeath: ((error: Error) => void) | undefined;
  dead: boolean;
  /** Stops the exit guard watching this thread. */
  releaseGuard: () => void;
}

/** Options of {@link ModelSession.open}. */
export interface ModelSessionOptions {
  /** The .onnx file. */
  modelPath: string;
  /** The folder (for errors). */
  modelDir: string;
  /** Name of the graph input that takes the waveform. */
  inputName: string;
  settings: OrtSessionSettings;
}

/** One ORT session on a worker thread with a job queue. */
export class ModelSession {
  private thread: Thread | undefined;
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private closed = false;
  private nextId = 1;

  private constructor(
    private readonly options: ModelSessionOptions,
    /** Graph inputs as ORT reports them. */
    readonly inputs: IoMeta[],
    /** Graph outputs as ORT reports them. */
    readonly outputs: IoMeta[],
    /** Session creation time on the thread, in ms. */
    readonly openMs: number,
    thread: Thread,
  ) {
    this.thread = thread;
    this.watch(thread);
  }

  /**
   * [async] Starts a thread and opens the session there.
   * @throws ModelLoadError `E2V_ERR_MODEL_SESSION` when ORT cannot open the graph or the thread fails
   */
  static async open(options: ModelSessionOptions): Promise<ModelSession> {
    const { thread, opened } = await ModelSession.startThread(options);
    return new ModelSession(options, opened.inputs, opened.outputs, opened.ms, thread);
  }

  private static startThread(options: ModelSessionOptions): Promise<{ thread: Thread; opened: Extract<WorkerReply, { kind: 'opened' }> }> {
    const { script, options: workerOptions } = siblingWorkerScript(import.meta.url, 'ort-worker');
    const worker = new Worker(script, workerOptions);
    const guard = inferenceBusyFlag();
    const thread: Thread = { worker, onReply: undefined, onDeath: undefined, dead: false, releaseGuard: guard.release };
    worker.on('message', (reply: WorkerReply) => thread.onReply?.(reply));
    const die = (error: Error): void => {
      if (thread.dead) return;
      thread.dead = true;
      guard.release();
      thread.onDeath?.(error);
    };
    worker.on('error', (error: Error & { code?: string }) =>
      die(
        new Error(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the inference thread ran out of memory' : `the inference thread failed: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    worker.on('exit', (code) => die(new Error(`the inference thread exited with code ${code}`)));
    return new Promise((resolve, reject) => {
      const fail = (message: string, cause?: unknown): void => {
        thread.onReply = undefined;
        thread.onDeath = undefined;
        guard.release();
        void worker.terminate();
        reject(new ModelLoadError('E2V_ERR_MODEL_SESSION', options.modelDir, `ONNX Runtime cannot open ${options.modelPath}: ${message}`, { cause }));
      };
      thread.onDeath = (error) => fail(error.message, error);
      thread.onReply = (reply) => {
        if (reply.kind === 'opened') {
          thread.onReply = undefined;
          thread.onDeath = undefined;
          worker.unref();
          resolve({ thread, opened: reply });
        } else if (reply.kind === 'open-failed') fail(reply.message);
      };
      worker.postMessage({ kind: 'open', modelPath: options.modelPath, settings: options.settings, busy: guard.busy } satisfies WorkerRequest);
    });
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.queue.length + (this.running === undefined ? 0 : 1);
  }

  /**
   * [async] Runs the graph on one (already normalized) waveform, after the jobs queued before it.
   * @param waveform 16 kHz samples; the array is transferred to the thread (detached here)
   * @param signal cancels the job: a waiting job is dropped; a running one is answered at once
   *   (the thread finishes the run and its result is discarded)
   * @throws AbortedError when `signal` fires first
   * @throws InferenceError `E2V_ERR_INFER_FAILED` (ORT error), `E2V_ERR_INFER_CRASHED` (thread died),
   *   `E2V_ERR_ENGINE_CLOSED` (closed before the job ran)
   */
  run(waveform: Float32Array, signal?: AbortSignal): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) => {
      if (this.closed) {
        reject(new InferenceError('E2V_ERR_ENGINE_CLOSED', 'The engine is closed'));
        return;
      }
      if (signal?.aborted) {
        reject(new AbortedError(signal.reason));
        return;
      }
      const job: Job = { waveform, signal, resolve, reject, onAbort: undefined, settled: false };
      if (signal !== undefined) {
        job.onAbort = () => {
          const waiting = this.queue.indexOf(job);
          if (waiting >= 0) this.queue.splice(waiting, 1);
          this.settle(job, undefined, new AbortedError(signal.reason));
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  /**
   * [async] Stops accepting jobs, fails the waiting ones with `E2V_ERR_ENGINE_CLOSED`, lets the
   * running one finish, then releases the session and ends the thread. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0))
      this.settle(job, undefined, new InferenceError('E2V_ERR_ENGINE_CLOSED', 'The engine was closed before this analysis ran'));
    const thread = this.thread;
    this.thread = undefined;
    if (thread === undefined || thread.dead) return;
    thread.worker.ref();
    // the thread answers 'closed' after the running job (requests are handled in order)
    await new Promise<void>((resolve) => {
      thread.worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'closed') resolve();
      });
      thread.worker.once('exit', () => resolve());
      thread.worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
    });
    await thread.worker.terminate();
    thread.releaseGuard();
  }

  private settle(job: Job, result: RunResult | undefined, error: Error | undefined): void {
    if (job.settled) return;
    job.settled = true;
    if (job.onAbort !== undefined) job.signal?.removeEventListener('abort', job.onAbort);
    if (error !== undefined) job.reject(error);
    else job.resolve(result!);
  }

  private watch(thread: Thread): void {
    thread.onDeath = (error) => {
      if (this.thread === thread) this.thread = undefined;
      const job = this.running;
      this.running = undefined;
      if (job !== undefined) {
        this.settle(job, undefined, new InferenceError('E2V_ERR_INFER_CRASHED', `Inference failed: ${error.message}`, { cause: error }));
      }
      this.dispatch();
    };
  }

  private dispatch(): void {
    if (this.running !== undefined || this.closed) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.running = job;
    void this.start(job);
  }

  private async start(job: Job): Promise<void> {
    try {
      if (this.thread === undefined) {
        const { thread } = await ModelSession.startThread(this.options);
        if (this.closed) {
          thread.releaseGuard();
          void thread.worker.terminate();
          throw new InferenceError('E2V_ERR_ENGINE_CLOSED', 'The engine was closed before this analysis ran');
        }
        this.thread = thread;
        this.watch(thread);
      }
    } catch (error) {
      this.running = undefined;
      this.settle(
        job,
        undefined,
        error instanceof InferenceError
          ? error
          : new InferenceError('E2V_ERR_INFER_CRASHED', `Inference failed: the inference thread could not be restarted: ${(error as Error).message}`, {
              cause: error,
            }),
      );
      this.dispatch();
      return;
    }
    const thread = this.thread;
    const id = this.nextId++;
    thread.onReply = (reply) => {
      if ((reply.kind !== 'result' && reply.kind !== 'run-failed') || reply.id !== id) return;
      thread.onReply = undefined;
      thread.worker.unref();
      this.running = undefined;
      if (reply.kind === 'result') this.settle(job, { outputs: reply.outputs, ms: reply.ms }, undefined);
      else this.settle(job, undefined, new InferenceError('E2V_ERR_INFER_FAILED', `ONNX Runtime failed: ${reply.message}`));
      this.dispatch();
    };
    thread.worker.ref();
    if (job.settled) {
      // aborted between queueing and starting: nothing to run
      thread.onReply = undefined;
      thread.worker.unref();
      this.running = undefined;
      this.dispatch();
      return;
    }
    const { waveform } = job;
    const owned = waveform.byteOffset === 0 && waveform.byteLength === waveform.buffer.byteLength && waveform.buffer instanceof ArrayBuffer;
    const data = owned ? waveform : waveform.slice();
    thread.worker.postMessage({ kind: 'run', id, input: this.options.inputName, waveform: data } satisfies WorkerRequest, [data.buffer as ArrayBuffer]);
  }
}
