/**
 * Delivering one alert with one action, and the retry loop around it.
 * @module
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@e2v/engine';
import { AlertDeliveryError } from '../../errors.js';
import type { RetryPolicy } from './options.js';
import type { PendingAlert } from './queue.js';

/** What a delivery needs besides the alert. */
export interface DeliveryContext {
  log: Logger;
  /** Base of relative file paths. */
  baseDir: string;
  /** Aborted when the plugin closes: stops waits and requests at once. */
  signal: AbortSignal;
}

/**
 * Delivers an alert once.
 * @param alert the alert (its action says how)
 * @param ctx logger, base folder, close signal
 * @throws AlertDeliveryError when the attempt failed
 */
export async function deliverOnce(alert: PendingAlert, ctx: DeliveryContext): Promise<void> {
  const { action, payload } = alert;
  switch (action.type) {
    case 'log':
      ctx.log[action.level]({ alert: payload }, `alert: ${alert.rule}`);
      return;
    case 'file': {
      const path = resolve(ctx.baseDir, action.path);
      try {
        await mkdir(dirname(path), { recursive: true });
        await appendFile(path, `${JSON.stringify(payload)}\n`);
      } catch (cause) {
        throw new AlertDeliveryError(`Cannot append the alert to ${path}: ${(cause as Error).message}`, { cause });
      }
      return;
    }
    case 'webhook': {
      let response: Response;
      try {
        response = await fetch(action.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': alert.key, ...action.headers },
          body: JSON.stringify(payload),
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(action.timeoutMs)]),
        });
        await response.arrayBuffer();
      } catch (cause) {
        const timedOut = (cause as Error).name === 'TimeoutError';
        throw new AlertDeliveryError(`POST ${action.url} ${timedOut ? `timed out after ${action.timeoutMs} ms` : `failed: ${(cause as Error).message}`}`, {
          cause,
        });
      }
      if (!response.ok) throw new AlertDeliveryError(`POST ${action.url} answered ${response.status}`);
    }
  }
}

/**
 * The wait before retry number `attempt` (0-based): `backoffMs * 2^attempt`, at most `maxBackoffMs`.
 * @param policy the action's retry policy
 * @param attempt how many attempts failed before, minus one
 * @returns milliseconds
 */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** attempt);
}

/**
 * Delivers an alert, retrying with exponential backoff.
 * @param alert the alert
 * @param ctx logger, base folder, close signal
 * @returns true when delivered; false when the retries ran out or the plugin closed (the alert stays queued)
 */
export async function deliverWithRetries(alert: PendingAlert, ctx: DeliveryContext): Promise<boolean> {
  for (let attempt = 0; !ctx.signal.aborted; attempt++) {
    try {
      await deliverOnce(alert, ctx);
      return true;
    } catch (error) {
      if (ctx.signal.aborted) return false;
      const last = attempt >= alert.action.retries;
      const code = (error as AlertDeliveryError).code;
      ctx.log[last ? 'error' : 'warn'](
        { rule: alert.rule, key: alert.key, attempt: attempt + 1, code, err: error },
        last ? 'alert delivery failed; it stays queued until the next start' : 'alert delivery failed; retrying',
      );
      if (last) return false;
      await delay(backoffMs(alert.action, attempt), undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  }
  return false;
}
