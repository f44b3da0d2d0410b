/**
 * The server's analysis queue: first in, first out, at most `concurrency` analyses running and
 * `maxWaiting` waiting. One more is refused at once (the REST API answers 429, the Gradio queue
 * 503). Gradio's queue messages (rank, expected seconds, start) come from the callbacks; the
 * expected seconds come from the wall times of the analyses it ran (see ./eta.ts).
 * @module
 */
import { HttpError, RETRY_AFTER_S } from '../errors.js';
import { AnalysisTimes, rankEta } from './eta.js';

/**
 * A place in the queue held for a task that will be submitted shortly (a Gradio join answers
 * before the task exists). Pass it to {@link AnalysisQueue.submit}; release it when the task will
 * not come. Releasing twice is harmless.
 */
export interface Reservation {
  release(): void;
}

/** Callbacks of one queued task. */
export interface QueueCallbacks {
  /**
   * The task's 0-based rank among the waiting tasks changed (called on entry too).
   * @param rank its rank
   * @param waiting tasks waiting
   * @param etaS seconds until its result, expected ({@link AnalysisQueue.eta})
   */
  onRank?(rank: number, waiting: number, etaS: number | null): void;
  /** The task starts running. */
  onStart?(): void;
}

interface Waiting {
  run(): void;
  callbacks: QueueCallbacks;
  signal: AbortSignal | undefined;
  drop(reason: unknown): void;
}

/** A FIFO queue with bounded concurrency and a bounded waiting line. */
export class AnalysisQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  private closedReason: string | undefined;
  private reserved = 0;
  /** Start times (performance.now()) of the running tasks. */
  private readonly startedAt = new Set<{ ms: number }>();
  private readonly times = new AnalysisTimes();

  /**
   * @param concurrency most tasks running at once (>= 1)
   * @param maxWaiting most tasks waiting (>= 0)
   */
  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  /** Tasks waiting to run. */
  get depth(): number {
    return this.waiting.length;
  }

  /** True when one more task (or reservation) would be refused. */
  get full(): boolean {
    return this.running + this.waiting.length + this.reserved >= this.concurrency + this.maxWaiting;
  }

  /**
   * Holds a place for a task submitted later, so that a burst of joins cannot overfill the queue.
   * @throws HttpError 429 `E2V_ERR_ENGINE_QUEUE_FULL` when the queue is full, 503 after {@link close}
   */
  reserve(): Reservation {
    this.checkOpen();
    if (this.full) throw this.fullError();
    this.reserved += 1;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.reserved -= 1;
      },
    };
  }

  /** Tasks running. */
  get active(): number {
    return this.running;
  }

  /**
   * Seconds until a task waiting at `rank` has its result, expected from the moving average of
   * the tasks that finished (see {@link rankEta}); null before any has finished.
   * @param rank its 0-based rank among the waiting tasks ({@link depth} for a task joining now)
   */
  eta(rank: number): number | null {
    const now = performance.now();
    return rankEta(
      this.times.mean,
      rank,
      this.concurrency,
      [...this.startedAt].map((start) => (now - start.ms) / 1000),
    );
  }

  /**
   * Runs `task` when a slot is free.
   * @param task the work
   * @param callbacks rank and start notifications
   * @param signal drops the task while it waits
   * @param reservation a place held by {@link reserve} (then the task is never refused as full)
   * @throws HttpError 429 `E2V_ERR_ENGINE_QUEUE_FULL` (with Retry-After) when the queue is full,
   *   503 `E2V_ERR_HTTP_SHUTTING_DOWN` after {@link close}
   * @returns what the task returns; rejects with `signal.reason` when aborted while waiting
   */
  async submit<T>(task: () => Promise<T>, callbacks: QueueCallbacks = {}, signal?: AbortSignal, reservation?: Reservation): Promise<T> {
    reservation?.release();
    this.checkOpen();
    if (reservation === undefined && this.full) throw this.fullError();
    if (this.running < this.concurrency && this.waiting.length === 0) return this.start(task, callbacks);
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        callbacks,
        signal,
        run: () => this.start(task, callbacks).then(resolve, reject),
        drop: reject,
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(entry);
        if (index < 0) return;
        this.waiting.splice(index, 1);
        reject(signal?.reason);
        this.announceRanks();
      };
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      callbacks.onRank?.(this.waiting.length - 1, this.waiting.length, this.eta(this.waiting.length - 1));
    });
  }

  private checkOpen(): void {
    if (this.closedReason !== undefined) throw new HttpError(503, 'E2V_ERR_HTTP_SHUTTING_DOWN', this.closedReason);
  }

  private fullError(): HttpError {
    return new HttpError(
      429,
      'E2V_ERR_ENGINE_QUEUE_FULL',
      `The server is busy: ${this.running} analyses running and ${this.waiting.length + this.reserved} waiting; retry later`,
      {
        'Retry-After': String(RETRY_AFTER_S),
      },
    );
  }

  /**
   * Refuses new tasks and fails the waiting ones with 503; running ones finish.
   * @param reason message for the refused tasks
   */
  close(reason: string): void {
    this.closedReason = reason;
    for (const entry of this.waiting.splice(0)) entry.drop(new HttpError(503, 'E2V_ERR_HTTP_SHUTTING_DOWN', reason));
  }

  /** Runs a task in a slot; the wall time of one that succeeds counts in {@link eta}. */
  private async start<T>(task: () => Promise<T>, callbacks: QueueCallbacks): Promise<T> {
    this.running += 1;
    const started = { ms: performance.now() };
    this.startedAt.add(started);
    try {
      callbacks.onStart?.();
      const result = await task();
      this.times.record((performance.now() - started.ms) / 1000);
      return result;
    } finally {
      this.startedAt.delete(started);
      this.running -= 1;
      this.next();
    }
  }

  private next(): void {
    const entry = this.waiting.shift();
    if (entry === undefined) return;
    this.announceRanks();
    entry.run();
  }

  private announceRanks(): void {
    this.waiting.forEach((entry, rank) => entry.callbacks.onRank?.(rank, this.waiting.length, this.eta(rank)));
  }
}
