/**
 * The record a worker keeps fresh in Redis while it runs, for `e2v queue status`: host, pid,
 * model (name, variant, identity), concurrency, jobs done and the last beat. It expires three
 * beats after the worker stops beating (a killed worker disappears on its own).
 * @module
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { KEY_PREFIX, type ModelIdentity } from './model-identity.js';

/** Time between two beats, in ms. */
export const HEARTBEAT_MS = 5000;

/** The pattern of heartbeat keys (`e2v:worker:<host>:<pid>`). */
export const HEARTBEAT_PATTERN = `${KEY_PREFIX}:worker:*`;

/** A worker as its heartbeat record says. */
export interface WorkerRecord {
  host: string;
  pid: number;
  /** model.json name. */
  model: string;
  variant: string;
  /** The model identity it serves. */
  identity: string;
  concurrency: number;
  /** Jobs it finished (completed or failed). */
  processed: number;
  /** ISO 8601 time of its start and of its last beat. */
  startedAt: string;
  lastBeat: string;
}

/** Keeps one worker's record fresh. */
export class Heartbeat {
  private readonly key = `${KEY_PREFIX}:worker:${hostname()}:${process.pid}`;
  private readonly startedAt = new Date().toISOString();
  private readonly timer: NodeJS.Timeout;
  /** Jobs finished so far (the worker counts them). */
  processed = 0;

  /**
   * Beats now and every {@link HEARTBEAT_MS}; a beat that fails (Redis away) is simply missed.
   * @param redis the worker's connection
   * @param identity the model it serves
   * @param concurrency jobs it runs at once
   */
  constructor(
    private readonly redis: Redis,
    private readonly identity: ModelIdentity,
    private readonly concurrency: number,
  ) {
    this.beat();
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  /** Stops beating and removes the record. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(this.key).catch(() => undefined);
  }

  private beat(): void {
    const record: WorkerRecord = {
      host: hostname(),
      pid: process.pid,
      model: this.identity.name,
      variant: this.identity.variant,
      identity: this.identity.id,
      concurrency: this.concurrency,
      processed: this.processed,
      startedAt: this.startedAt,
      lastBeat: new Date().toISOString(),
    };
    this.redis
      .multi()
      .set(this.key, JSON.stringify(record))
      .pexpire(this.key, 3 * HEARTBEAT_MS)
      .exec()
      .catch(() => undefined);
  }
}
