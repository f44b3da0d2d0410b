/**
 * Where commands write, so tests can capture output.
 * @module
 */

/** Output sinks of one CLI run. */
export interface CliIo {
  /** Results (what scripts parse). */
  stdout(text: string): void;
  /** Progress and errors (one line per error). */
  stderr(text: string): void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  stderrIsTTY?: boolean;
  /** Aborted on Ctrl-C; long commands stop cleanly and keep resumable state. */
  signal?: AbortSignal;
}
