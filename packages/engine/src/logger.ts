/**
 * The logger the engine writes to. Injected by the caller (the server passes a pino logger,
 * whose `(fields, message)` call shape this matches); by default nothing is logged.
 * @module
 */

/** Structured fields of one log line. */
export type LogFields = Record<string, unknown>;

/** A structured logger: pino's `(fields, message)` call shape, plus `child`. */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
}

const noop = (): void => undefined;

/** The default logger: drops everything. */
export const silentLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
});
