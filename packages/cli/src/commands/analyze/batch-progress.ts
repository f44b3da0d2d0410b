/**
 * Progress of a batch on stderr: a bar redrawn in place on a terminal (done/total, percent,
 * files/s, audio seconds/s, ETA, failures), plain lines at most every `intervalMs` otherwise.
 * @module
 */
import { formatDuration } from '@e2v/core';

/** Options of {@link BatchProgress}. */
export interface BatchProgressOptions {
  /** Redraw in place (a terminal) or print plain lines. */
  isTTY: boolean;
  /** Least time between plain lines, ms (default 5000). */
  intervalMs?: number;
  /** Terminal width (default 80). */
  columns?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** Counts of a running batch. */
export interface BatchCounts {
  done: number;
  failed: number;
  skipped: number;
  total: number;
  audioSeconds: number;
}

/** Renders batch progress. */
export class BatchProgress {
  private readonly started: number;
  private lastLine = Number.NEGATIVE_INFINITY;
  private onScreen = false;

  /**
   * @param write where text goes (stderr)
   * @param options terminal or plain
   */
  constructor(
    private readonly write: (text: string) => void,
    private readonly options: BatchProgressOptions,
  ) {
    this.started = this.now();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** The status text for `counts`. */
  describe(counts: BatchCounts): string {
    const processed = counts.done + counts.failed;
    const finished = processed + counts.skipped;
    const elapsedS = Math.max(1e-3, (this.now() - this.started) / 1000);
    const rate = processed / elapsedS;
    const left = counts.total - finished;
    const eta = rate > 0 ? formatDuration(left / rate) : '--';
    const percent = counts.total === 0 ? 100 : (finished * 100) / counts.total;
    const failures = counts.failed > 0 ? `, ${counts.failed} failed` : '';
    return `${finished}/${counts.total} ${percent.toFixed(1)}%  ${rate.toFixed(2)} files/s  ${(counts.audioSeconds / elapsedS).toFixed(1)} audio-s/s  ETA ${eta}${failures}`;
  }

  /** Reports new counts (redraws, or prints a line when the interval has passed). */
  update(counts: BatchCounts): void {
    const text = this.describe(counts);
    if (this.options.isTTY) {
      const width = this.options.columns ?? 80;
      const finished = counts.done + counts.failed + counts.skipped;
      const barWidth = Math.max(10, Math.min(30, width - text.length - 4));
      const filled = counts.total === 0 ? barWidth : Math.floor((finished / counts.total) * barWidth);
      this.write(`${`\r[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${text}`.slice(0, width - 1)}\x1b[K`);
      this.onScreen = true;
      return;
    }
    const t = this.now();
    const finished = counts.done + counts.failed + counts.skipped === counts.total;
    if (t - this.lastLine < (this.options.intervalMs ?? 5000) && !finished) return;
    this.lastLine = t;
    this.write(`progress: ${text}\n`);
  }

  /** Prints a line above the bar (a failure, a notice). */
  note(text: string): void {
    if (this.onScreen) this.write('\r\x1b[K');
    this.onScreen = false;
    this.write(`${text}\n`);
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.onScreen) this.write('\n');
    this.onScreen = false;
  }
}
