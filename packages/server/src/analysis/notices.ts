/**
 * Notices of an analysis: advice from the original WebUI's guide about the input, not damage
 * (that is a warning). Clips under 1 s lack the context for a reliable result; audio longer than
 * one segment (30 s) was analysed in segments, and its result is their duration-weighted mean.
 * REST sends them as `notices`, the processing log has a line for each, the web page shows them.
 * @module
 */
import type { Result } from '@e2v/core';

/** Audio shorter than this many seconds gets {@link AnalysisNotice} `E2V_NOTICE_AUDIO_SHORT`. */
export const SHORT_AUDIO_S = 1;

/** Codes of the notices (catalogued in docs/errors.md). */
export type NoticeCode = 'E2V_NOTICE_AUDIO_SHORT' | 'E2V_NOTICE_AUDIO_SEGMENTED';

/** A typed piece of advice about a result. */
export interface AnalysisNotice {
  code: NoticeCode;
  message: string;
}

/**
 * The notices of a Result: `E2V_NOTICE_AUDIO_SHORT` under {@link SHORT_AUDIO_S},
 * `E2V_NOTICE_AUDIO_SEGMENTED` when it was analysed in segments.
 */
export function analysisNotices(result: Result): AnalysisNotice[] {
  const duration = result.audio.duration_s.toFixed(2);
  const notices: AnalysisNotice[] = [];
  if (result.audio.duration_s < SHORT_AUDIO_S) {
    notices.push({
      code: 'E2V_NOTICE_AUDIO_SHORT',
      message: `The audio is ${duration} s long, under ${SHORT_AUDIO_S} s: too little context, the result is unreliable (3-10 s works best)`,
    });
  }
  if (result.segments !== undefined) {
    notices.push({
      code: 'E2V_NOTICE_AUDIO_SEGMENTED',
      message: `The audio is ${duration} s long: it was analysed in ${result.segments.length} segments, and the result is their duration-weighted mean (3-10 s works best)`,
    });
  }
  return notices;
}
