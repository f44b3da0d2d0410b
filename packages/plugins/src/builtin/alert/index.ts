/**
 * The `alert` built-in plugin: evaluates rules on every result and delivers alerts (webhook,
 * log line, file) durably and at most once per (result id, rule, action).
 *
 * `onResult` only evaluates the rules and queues the alerts on disk (see queue.ts); delivery runs
 * in the background with retries (see deliver.ts), so results are never delayed by a slow or
 * failing receiver. On setup, alerts still queued by a previous run are delivered. A delivered
 * record is written after each delivery; a process killed between the receiver's answer and
 * that write delivers the alert again on the next start (webhooks carry the alert key in an
 * `Idempotency-Key` header for receivers that must not see it twice). One state folder must be
 * used by one process at a time. `close` (end of a batch, server stop) waits up to
 * `drainTimeoutMs` for deliveries in progress, logging the count left each second, and reports
 * `{ delivered, pending }`: alerts delivered by this run, and those left queued for the next.
 * @module
 */
import type { Result } from '@e2v/core';
import { definePlugin } from '../../define.js';
import { evaluate } from './conditions.js';
import { deliverWithRetries, type DeliveryContext } from './deliver.js';
import { parseAlertOptions } from './options.js';
import { AlertQueue, alertKey, type PendingAlert } from './queue.js';

export type { AlertPluginOptions, AlertRule, AlertAction, RetryPolicy, WebhookAction, LogAction, FileAction } from './options.js';
export type { Condition } from './conditions.js';

/** The alert plugin's per-host state (internal; exported for declaration files). */
export interface AlertState {
  queue: AlertQueue;
  delivery: DeliveryContext;
  abort: AbortController;
  /** Keys being delivered now (so an alert is never delivered by two tasks at once). */
  active: Set<string>;
  /** Running delivery tasks, awaited on close. */
  tasks: Set<Promise<void>>;
  /** Alerts delivered by this host. */
  delivered: number;
}

/** The alert plugin. */
export const alertPlugin = definePlugin({
  name: 'alert',
  parseOptions: parseAlertOptions,
  async setup(ctx): Promise<AlertState> {
    const abort = new AbortController();
    const state: AlertState = {
      queue: new AlertQueue(ctx.stateDir),
      delivery: { log: ctx.log, baseDir: ctx.baseDir, signal: abort.signal },
      abort,
      active: new Set(),
      tasks: new Set(),
      delivered: 0,
    };
    const pending = await state.queue.open();
    if (pending.length > 0) ctx.log.info({ count: pending.length }, 'delivering alerts queued by a previous run');
    for (const key of pending) startDelivery(state, key);
    return state;
  },
  hooks: {
    async onResult({ id, input, result }, { options, state }) {
      const fired = options.rules.filter((rule) => evaluate(rule.when, result));
      for (const rule of fired) {
        for (const [index, action] of rule.actions.entries()) {
          const key = alertKey(id, rule.name, index);
          const alert: PendingAlert = { key, rule: rule.name, action, payload: payloadOf(key, rule.name, id, input.name, result) };
          if (await state.queue.enqueue(alert)) startDelivery(state, key);
        }
      }
      return { triggered: fired.map((rule) => rule.name) };
    },
  },
  async close({ state, options, log }) {
    const deadline = Date.now() + options.drainTimeoutMs;
    while (state.tasks.size > 0 && Date.now() < deadline) {
      log.info({ pending: state.tasks.size, delivered: state.delivered }, 'waiting for alert deliveries');
      await Promise.race([Promise.all(state.tasks), new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))))]);
    }
    state.abort.abort();
    await Promise.all(state.tasks);
    const pending = (await state.queue.open()).length;
    if (pending > 0) log.warn({ pending, delivered: state.delivered }, 'alerts left queued; the next start with this state folder delivers them');
    return { delivered: state.delivered, pending };
  },
});

/** Starts delivering a queued alert in the background, unless it is already being delivered. */
function startDelivery(state: AlertState, key: string): void {
  if (state.active.has(key) || state.abort.signal.aborted) return;
  state.active.add(key);
  const task = deliverQueued(state, key).finally(() => {
    state.active.delete(key);
    state.tasks.delete(task);
  });
  state.tasks.add(task);
}

/** Delivers one queued alert and records the delivery; never rejects. */
async function deliverQueued(state: AlertState, key: string): Promise<void> {
  try {
    const alert = await state.queue.read(key);
    if (alert !== undefined && !(await state.queue.isDelivered(key)) && (await deliverWithRetries(alert, state.delivery))) {
      await state.queue.markDelivered(key);
      state.delivered += 1;
    }
  } catch (error) {
    state.delivery.log.error({ key, err: error }, 'alert queue error; the alert stays queued');
  }
}

/** The JSON body of an alert. */
function payloadOf(key: string, rule: string, resultId: string, input: string, result: Readonly<Result>): Record<string, unknown> {
  return {
    alert_id: key,
    rule,
    result_id: resultId,
    input,
    result: {
      emotion: result.emotion,
      confidence: result.confidence,
      scores: result.scores,
      granularity: result.granularity,
      duration_s: result.audio.duration_s,
      timestamp: result.timestamp,
    },
  };
}
