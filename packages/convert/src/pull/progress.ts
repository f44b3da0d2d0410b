/**
 * Draws `pullModel` progress: a redrawn bar on a terminal, periodic plain lines
 * otherwise (CI logs, pipes). The CLI passes `renderer.onProgress` to `pullModel`.
 * @module
 */
import type { Writable } from 'node:stream';
import { formatDuration } from '@e2v/core';
import type { PullProgressEvent } from './events.js';

/** Options of {@link createProgressRenderer}. */
export interface ProgressRendererOptions {
  /** Draw a redrawn bar (true) or plain lines (false); default: the stream's `isTTY`. */
  isTTY?: boolean;
  /** Plain mode: least time between two progress lines of a file, ms (default 5000). */
  intervalMs?: number;
  /** TTY mode: least time between two redraws, ms (default 100). */
  redrawMs?: number;
  /** TTY width in columns; default the stream's `columns`, else 80. */
  columns?: number;
  /** Clock, ms (tests). */
  now?: () => number;
}

/** A progress renderer bound to one stream. */
export interface ProgressRenderer {
  /** Pass this as `pullModel`'s `onProgress`. */
  readonly onProgress: (event: PullProgressEvent) => void;
  /** Ends a bar left on the current line (call when the pull fails). Idempotent. */
  close(): void;
}

/**
 * Bytes in decimal units, as the hubs show sizes: `950 B`, `12.3 kB`, `882 MB`, `1.95 GB`.
 * @param n byte count
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1000) return `${Math.max(0, Math.round(Number.isFinite(n) ? n : 0))} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let unit = 'B';
  for (const u of units) {
    if (v < 1000) break;
    v /= 1000;
    unit = u;
  }
  if (v >= 999.95 && unit !== 'TB') {
    v /= 1000;
    unit = units[units.indexOf(unit) + 1] ?? unit;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${unit}`;
}

function percent(done: number, total: number): string {
  const p = total > 0 ? Math.min(100, (done * 100) / total) : 100;
  return `${p.toFixed(p < 100 ? 1 : 0)}%`;
}

function rateText(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '-- B/s';
}

/**
 * Creates a renderer writing to `stream`.
 * @param stream where to write (usually `process.stderr`)
 * @param options TTY or plain, intervals, width
 * @example
 * const r = createProgressRenderer(process.stderr);
 * try { await pullModel(name, { onProgress: r.onProgress }); } finally { r.close(); }
 */
export function createProgressRenderer(stream: NodeJS.WritableStream | Writable, options: ProgressRendererOptions = {}): ProgressRenderer {
  const tty = options.isTTY ?? (stream as { isTTY?: boolean }).isTTY === true;
  const intervalMs = options.intervalMs ?? 5000;
  const redrawMs = options.redrawMs ?? 100;
  const now = options.now ?? Date.now;
  const columns = (): number => options.columns ?? (stream as { columns?: number }).columns ?? 80;
  let barOnScreen = false;
  const lastLine = new Map<string, number>();
  let lastDraw = -Infinity;

  const write = (text: string): void => {
    stream.write(text);
  };
  /** A full line; on a TTY it replaces the bar. */
  const line = (text: string): void => {
    if (tty && barOnScreen) write('\r\x1b[K');
    barOnScreen = false;
    write(`${text}\n`);
  };

  const drawBar = (file: string, done: number, total: number | null, rate: number, eta: number | null): void => {
    const width = Math.max(20, columns());
    const name = file.padEnd(11);
    let text: string;
    if (total !== null && total > 0) {
      const tail = `  ${percent(done, total).padStart(6)}  ${formatBytes(done)}/${formatBytes(total)}  ${rateText(rate)}  ETA ${
        eta === null ? '--' : formatDuration(eta)
      }`;
      const barWidth = Math.max(10, Math.min(40, width - 1 - name.length - 3 - tail.length));
      const filled = Math.min(barWidth, Math.floor((done / total) * barWidth));
      const bar = `${'='.repeat(filled)}${filled < barWidth ? '>' : ''}${' '.repeat(Math.max(0, barWidth - filled - 1))}`;
      text = `${name} [${bar}]${tail}`;
    } else {
      text = `${name} ${formatBytes(done)}  ${rateText(rate)}`;
    }
    write(`\r${text.slice(0, width - 1)}\x1b[K`);
    barOnScreen = true;
  };

  const onProgress = (e: PullProgressEvent): void => {
    switch (e.type) {
      case 'file-start': {
        const size = e.bytesTotal !== null ? ` (${formatBytes(e.bytesTotal)})` : '';
        const resume = e.bytesDone > 0 ? `, resuming at ${formatBytes(e.bytesDone)}` : '';
        if (tty) {
          line(`[${e.index + 1}/${e.count}] ${e.file}${size}${resume}`);
          drawBar(e.file, e.bytesDone, e.bytesTotal, 0, null);
          lastDraw = now();
        } else {
          line(`[${e.index + 1}/${e.count}] ${e.file}: downloading${size} from ${e.url}${resume}`);
          lastLine.set(e.file, now());
        }
        return;
      }
      case 'file-progress': {
        const t = now();
        const final = e.bytesTotal !== null && e.bytesDone >= e.bytesTotal;
        if (tty) {
          if (!final && t - lastDraw < redrawMs) return;
          lastDraw = t;
          drawBar(e.file, e.bytesDone, e.bytesTotal, e.bytesPerSecond, e.etaSeconds);
          return;
        }
        if (final || t - (lastLine.get(e.file) ?? -Infinity) < intervalMs) return;
        lastLine.set(e.file, t);
        const eta = e.etaSeconds !== null ? `, ETA ${formatDuration(e.etaSeconds)}` : '';
        line(
          e.bytesTotal !== null
            ? `${e.file}: ${percent(e.bytesDone, e.bytesTotal)} (${formatBytes(e.bytesDone)} of ${formatBytes(e.bytesTotal)}), ${rateText(e.bytesPerSecond)}${eta}`
            : `${e.file}: ${formatBytes(e.bytesDone)}, ${rateText(e.bytesPerSecond)}`,
        );
        return;
      }
      case 'file-retry':
        line(`${e.file}: ${e.reason}; retrying in ${formatDuration(e.delayMs / 1000)} (attempt ${e.attempt})`);
        return;
      case 'file-done': {
        const check = e.verified ? 'sha256 verified' : 'not verified (the hub publishes no sha256 for it)';
        line(
          e.cached
            ? `[${e.index + 1}/${e.count}] ${e.file}: already downloaded (${formatBytes(e.bytes)}, ${check})`
            : `${e.file}: done, ${formatBytes(e.bytes)}, ${check}`,
        );
        lastLine.delete(e.file);
        return;
      }
      case 'convert-start':
        line(`Converting ${e.fromDir} -> ${e.outDir}`);
        return;
      case 'convert-done':
        line(`Converted in ${formatDuration(e.elapsedMs / 1000)}: ${e.outDir}`);
        return;
    }
  };

  return {
    onProgress,
    close(): void {
      if (tty && barOnScreen) write('\n');
      barOnScreen = false;
    },
  };
}
