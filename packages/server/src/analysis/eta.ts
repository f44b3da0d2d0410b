/**
 * How long a queued analysis will take, for Gradio's `rank_eta` (what `job.status().eta` of
 * gradio_client and the `eta` of @gradio/client's status events show): a moving average of the
 * wall times of recent analyses, and the seconds until a job at a given rank is done. Before any
 * analysis has finished there is no estimate (null), as in Gradio; no guess is made up.
 * @module
 */

/** Weight of the newest analysis time in the moving average (the previous mean keeps the rest). */
export const NEWEST_TIME_WEIGHT = 0.3;

/** An exponentially weighted mean of analysis wall times, in seconds. */
export class AnalysisTimes {
  private meanS: number | null = null;

  /** The mean, or null before the first {@link record}. */
  get mean(): number | null {
    return this.meanS;
  }

  /**
   * Counts one finished analysis: the first sets the mean, each later one moves it by
   * {@link NEWEST_TIME_WEIGHT} of the difference.
   * @param seconds its wall time
   */
  record(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.meanS = this.meanS === null ? seconds : this.meanS + NEWEST_TIME_WEIGHT * (seconds - this.meanS);
  }
}

/**
 * Seconds until a job waiting at `rank` has its result, expected: the time until a slot frees
 * (none when one is free; else the mean minus how long the longest-running analysis has run, at
 * least 0), then `rank / slots` analyses' worth of waiting for the jobs ahead, then its own
 * analysis. Rounded to milliseconds.
 * @param meanS the mean analysis time ({@link AnalysisTimes.mean}); null gives null
 * @param rank the job's 0-based place among the waiting jobs
 * @param slots analyses run at once
 * @param runningElapsedS how long each running analysis has run, in seconds
 */
export function rankEta(meanS: number | null, rank: number, slots: number, runningElapsedS: readonly number[]): number | null {
  if (meanS === null) return null;
  const slotFreeIn = runningElapsedS.length < slots ? 0 : Math.max(0, meanS - Math.max(...runningElapsedS));
  return Math.round((slotFreeIn + (rank / slots) * meanS + meanS) * 1000) / 1000;
}
