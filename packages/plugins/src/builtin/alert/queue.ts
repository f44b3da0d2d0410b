/**
 * The alert plugin's durable queue, in its state folder:
 *
 * - `pending/<key>.json`: one file per alert waiting for delivery (written atomically);
 * - `delivered/<key>`: a record per delivered alert, so a key is never delivered twice.
 *
 * A key stands for (result id, rule name, action index). An alert whose key is pending or
 * delivered is not queued again.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_SUFFIX, writeFileAtomic } from '@e2v/core';
import type { AlertAction } from './options.js';

/** One queued alert: everything needed to deliver it, even after a restart with another config. */
export interface PendingAlert {
  key: string;
  rule: string;
  action: AlertAction;
  /** The JSON body sent / written. */
  payload: Record<string, unknown>;
}

/**
 * The key of an alert.
 * @param resultId the analysis id
 * @param rule the rule name
 * @param actionIndex the action's index in the rule
 * @returns a hex digest, usable as a file name and an idempotency key
 */
export function alertKey(resultId: string, rule: string, actionIndex: number): string {
  return createHash('sha256').update(`${resultId}\n${rule}\n${actionIndex}`).digest('hex').slice(0, 40);
}

/** The on-disk queue of one alert plugin instance. */
export class AlertQueue {
  readonly #pending: string;
  readonly #delivered: string;

  /** @param stateDir the plugin's state folder */
  constructor(stateDir: string) {
    this.#pending = join(stateDir, 'pending');
    this.#delivered = join(stateDir, 'delivered');
  }

  /**
   * Creates the folders, removes temporary files of an interrupted write and pending files of
   * alerts that were delivered (a stop between the two steps of {@link markDelivered}).
   * @returns the keys still pending, in name order
   */
  async open(): Promise<string[]> {
    await mkdir(this.#pending, { recursive: true });
    await mkdir(this.#delivered, { recursive: true });
    const keys: string[] = [];
    for (const name of (await readdir(this.#pending)).sort()) {
      const key = name.slice(0, -'.json'.length);
      if (name.endsWith(TEMP_SUFFIX)) await rm(join(this.#pending, name), { force: true });
      else if (!name.endsWith('.json')) continue;
      else if (await this.isDelivered(key)) await rm(join(this.#pending, name), { force: true });
      else keys.push(key);
    }
    return keys;
  }

  /**
   * Queues an alert unless its key is already pending or delivered.
   * @param alert the alert
   * @returns true when it was queued
   */
  async enqueue(alert: PendingAlert): Promise<boolean> {
    if (await this.isDelivered(alert.key)) return false;
    return writeFileAtomic(this.#pendingPath(alert.key), JSON.stringify(alert), { exclusive: true });
  }

  /**
   * Reads a pending alert.
   * @param key its key
   * @returns the alert, or undefined when it is no longer pending
   */
  async read(key: string): Promise<PendingAlert | undefined> {
    try {
      return JSON.parse(await readFile(this.#pendingPath(key), 'utf8')) as PendingAlert;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Records a delivery (first the delivered record, then the pending file goes).
   * @param key the alert's key
   */
  async markDelivered(key: string): Promise<void> {
    await writeFileAtomic(join(this.#delivered, key), `${new Date().toISOString()}\n`);
    await rm(this.#pendingPath(key), { force: true });
  }

  /**
   * @param key an alert key
   * @returns whether it was delivered
   */
  async isDelivered(key: string): Promise<boolean> {
    return stat(join(this.#delivered, key)).then(
      () => true,
      () => false,
    );
  }

  #pendingPath(key: string): string {
    return join(this.#pending, `${key}.json`);
  }
}
