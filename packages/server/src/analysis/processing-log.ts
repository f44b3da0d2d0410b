/**
 * The human-readable processing log of one analysis (Gradio's "processing log" textbox, REST
 * `log`), built from the Result's facts.
 * @module
 */
import type { Result } from '@e2v/core';
import { analysisNotices } from './notices.js';
import type { AnalysisWarning } from './warnings.js';

function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

/**
 * Log lines of an analysis: decode, resample, inference, frames, result, every score as the
 * original WebUI's guide lists them (`angry: 0.786`, model order), notices (e.g. analysed in
 * segments), plugins, saved folder, warnings, total.
 * @param result the Result
 * @param outputDir the outputs folder written, if any
 * @param warnings what went wrong around the result
 */
export function processingLog(result: Result, outputDir: string | null, warnings: readonly AnalysisWarning[]): string[] {
  const { audio, timings_ms: t, model } = result;
  const lines = [
    `decoded ${audio.format}: ${audio.sample_rate} Hz, ${audio.channels} channel${audio.channels === 1 ? '' : 's'}, ${seconds(audio.duration_s)} (${t.decode} ms)`,
    `resampled to 16 kHz mono (${t.resample} ms)`,
    `inference: ${model.name} (${model.variant}), ${t.inference} ms, real-time factor ${(t.inference / 1000 / Math.max(audio.duration_s, 1e-9)).toFixed(3)}`,
  ];
  const { frames } = result;
  if (frames !== null) {
    const smoothing = frames.window_s === 0 ? 'raw per-frame scores' : `scores smoothed over ${frames.window_s} s windows`;
    lines.push(`frame granularity: ${frames.start_s.length} frames at ${frames.rate} frames/s, ${smoothing}`);
  }
  lines.push(`result: ${result.emoji} ${result.emotion} (${(result.confidence * 100).toFixed(1)}%)`, 'scores:');
  for (const [key, score] of Object.entries(result.scores)) lines.push(`  ${key}: ${score.toFixed(3)}`);
  for (const notice of analysisNotices(result)) lines.push(`notice ${notice.code}: ${notice.message}`);
  const plugins = (result as Result & { plugins?: Record<string, { error?: { code: string; hook: string } }> }).plugins ?? {};
  for (const [name, output] of Object.entries(plugins)) {
    lines.push(
      output.error === undefined
        ? `plugin ${name}: ${JSON.stringify(output).slice(0, 160)}`
        : `plugin ${name} failed in ${output.error.hook}: ${output.error.code}`,
    );
  }
  if (outputDir !== null) lines.push(`saved to ${outputDir}`);
  for (const warning of warnings) lines.push(`warning ${warning.code}: ${warning.message}`);
  lines.push(`total ${t.total} ms`);
  return lines;
}
