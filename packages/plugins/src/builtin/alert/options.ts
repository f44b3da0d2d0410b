/**
 * Options of the `alert` plugin:
 *
 * ```json
 * { "rules": [ { "name": "angry-call",
 *                "when": { "emotion": "angry", "above": 0.75 },
 *                "actions": [ { "type": "webhook", "url": "http://127.0.0.1:9000/alerts" },
 *                             { "type": "log" },
 *                             { "type": "file", "path": "alerts.jsonl" } ] } ] }
 * ```
 *
 * Every action may set its retry policy: `retries` (attempts after the first, default 10),
 * `backoffMs` (first wait, doubled after each failure, default 500) and `maxBackoffMs` (default
 * 60000). Webhooks also take `timeoutMs` (default 5000) and extra `headers`; logs a `level`
 * (`info`, `warn` (default) or `error`).
 * @module
 */
import { checkArray, checkNumber, checkObject, checkString, orDefault } from '../../check.js';
import { parseCondition, type Condition } from './conditions.js';

/** When and how often a failed delivery is retried. */
export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/** POST the alert as JSON. */
export interface WebhookAction extends RetryPolicy {
  type: 'webhook';
  url: string;
  timeoutMs: number;
  headers: Record<string, string>;
}

/** Write the alert to the plugin's log. */
export interface LogAction extends RetryPolicy {
  type: 'log';
  level: 'info' | 'warn' | 'error';
}

/** Append the alert as one JSON line to a file. */
export interface FileAction extends RetryPolicy {
  type: 'file';
  /** Relative to the config file's folder. */
  path: string;
}

/** What to do when a rule fires. */
export type AlertAction = WebhookAction | LogAction | FileAction;

/** A named condition with its actions. */
export interface AlertRule {
  name: string;
  when: Condition;
  actions: AlertAction[];
}

/** The parsed options. */
export interface AlertPluginOptions {
  rules: AlertRule[];
  /**
   * At shutdown (end of a batch, server stop), how long to wait for alerts still being delivered
   * before leaving them queued for the next start (default 30000 ms).
   */
  drainTimeoutMs: number;
}

const RETRY_KEYS = ['retries', 'backoffMs', 'maxBackoffMs'] as const;
const LOG_LEVELS = ['info', 'warn', 'error'] as const;

/**
 * Checks the alert plugin's options.
 * @param raw the options as configured
 * @returns the options with defaults filled in
 * @throws TypeError / RangeError naming the bad option
 */
export function parseAlertOptions(raw: unknown): AlertPluginOptions {
  const o = checkObject(raw, 'alert options', ['rules', 'drainTimeoutMs']);
  const names = new Set<string>();
  const rules = checkArray(o.rules, 'alert options.rules', 1).map((rawRule, i): AlertRule => {
    const path = `rules[${i}]`;
    const r = checkObject(rawRule, path, ['name', 'when', 'actions']);
    const name = checkString(r.name, `${path}.name`);
    if (names.has(name)) throw new RangeError(`Two alert rules are named "${name}"`);
    names.add(name);
    const actions = checkArray(r.actions, `${path}.actions`, 1).map((a, j) => parseAction(a, `${path}.actions[${j}]`));
    return { name, when: parseCondition(r.when, `${path}.when`), actions };
  });
  return { rules, drainTimeoutMs: orDefault(o.drainTimeoutMs, 30_000, (v) => checkNumber(v, 'alert options.drainTimeoutMs', { min: 0 })) };
}

/** Checks one action. */
function parseAction(raw: unknown, path: string): AlertAction {
  const type = checkObject(raw, path, ['type', 'url', 'timeoutMs', 'headers', 'level', 'path', ...RETRY_KEYS]).type;
  const retry = (o: Record<string, unknown>): RetryPolicy => ({
    retries: orDefault(o.retries, 10, (v) => checkNumber(v, `${path}.retries`, { min: 0, integer: true })),
    backoffMs: orDefault(o.backoffMs, 500, (v) => checkNumber(v, `${path}.backoffMs`, { min: 0 })),
    maxBackoffMs: orDefault(o.maxBackoffMs, 60_000, (v) => checkNumber(v, `${path}.maxBackoffMs`, { min: 0 })),
  });
  switch (type) {
    case 'webhook': {
      const o = checkObject(raw, path, ['type', 'url', 'timeoutMs', 'headers', ...RETRY_KEYS]);
      const url = checkString(o.url, `${path}.url`);
      if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw new TypeError(`Expected an http(s) URL for ${path}.url but received ${JSON.stringify(url)}`);
      const headers = checkObject(o.headers ?? {}, `${path}.headers`, Object.keys(o.headers ?? {}));
      for (const [k, v] of Object.entries(headers)) checkString(v, `${path}.headers.${k}`);
      return {
        type,
        url,
        timeoutMs: orDefault(o.timeoutMs, 5000, (v) => checkNumber(v, `${path}.timeoutMs`, { min: 1 })),
        headers: headers as Record<string, string>,
        ...retry(o),
      };
    }
    case 'log': {
      const o = checkObject(raw, path, ['type', 'level', ...RETRY_KEYS]);
      const level = orDefault(o.level, 'warn', (v) => checkString(v, `${path}.level`));
      if (!(LOG_LEVELS as readonly string[]).includes(level))
        throw new RangeError(`Expected one of ${LOG_LEVELS.join(', ')} for ${path}.level but received "${level}"`);
      return { type, level: level as LogAction['level'], ...retry(o) };
    }
    case 'file': {
      const o = checkObject(raw, path, ['type', 'path', ...RETRY_KEYS]);
      return { type, path: checkString(o.path, `${path}.path`), ...retry(o) };
    }
    default:
      throw new TypeError(`Expected "webhook", "log" or "file" for ${path}.type but received ${JSON.stringify(type)}`);
  }
}
