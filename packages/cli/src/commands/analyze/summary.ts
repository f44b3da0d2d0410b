/**
 * The table `e2v analyze` prints at the end: files (analyzed, failed, skipped, reused, not done),
 * audio hours, throughput, the count of each top emotion, what plugins reported when they closed
 * (alerts delivered and left pending), and every failure with its reason.
 * @module
 */
import { formatPluginReports } from '../plugin-flags.js';

/** What a finished batch did. */
export interface BatchSummary {
  total: number;
  analyzed: number;
  failed: { file: string; code: string; message: string }[];
  skipped: number;
  /** Files recorded with the result of another file of the same content (not analyzed again). */
  reused: number;
  /** Files without a record of this run because the batch stopped early (Ctrl-C, output folder). */
  notDone: number;
  audioSeconds: number;
  elapsedS: number;
  /** Top-emotion counts. */
  emotions: Map<string, number>;
  /** What each plugin reported when it closed (e.g. alerts delivered and left pending). */
  plugins: Record<string, Record<string, unknown>>;
}

/**
 * The summary table as text.
 * @param summary the batch's counts
 */
export function formatSummary(summary: BatchSummary): string {
  const rows: [string, string][] = [
    ['files', `${summary.total}`],
    ['analyzed', `${summary.analyzed}`],
    ['failed', `${summary.failed.length}`],
    ['skipped (done before)', `${summary.skipped}`],
  ];
  if (summary.reused > 0) rows.push(['reused (same content)', `${summary.reused}`]);
  if (summary.notDone > 0) rows.push(['not done (stopped early)', `${summary.notDone}`]);
  rows.push(['audio', `${(summary.audioSeconds / 3600).toFixed(3)} h (${summary.audioSeconds.toFixed(1)} s)`]);
  rows.push(['time', `${summary.elapsedS.toFixed(1)} s`]);
  if (summary.elapsedS > 0 && summary.analyzed > 0) {
    rows.push(['throughput', `${(summary.analyzed / summary.elapsedS).toFixed(2)} files/s, ${(summary.audioSeconds / summary.elapsedS).toFixed(1)} audio-s/s`]);
  }
  const emotions = [...summary.emotions.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (emotions.length > 0) rows.push(['top emotions', '']);
  for (const [emotion, count] of emotions) rows.push([`  ${emotion}`, `${count}`]);
  for (const line of formatPluginReports(summary.plugins)) rows.push([line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = ['', 'summary', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
  if (summary.failed.length > 0) {
    lines.push('failures');
    for (const f of summary.failed) lines.push(`  ${f.file}: ${f.code}: ${f.message}`);
  }
  return `${lines.join('\n')}\n`;
}
