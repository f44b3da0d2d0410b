/**
 * Measures how long the event loop stalls while a task runs.
 * @module
 */

/**
 * Runs `task` while a 5 ms interval timer watches the event loop.
 * @returns the task's result and the longest gap between two timer ticks, in ms
 */
export async function withWorstStall<T>(task: () => Promise<T>): Promise<{ result: T; worstGapMs: number }> {
  let last = performance.now();
  let worstGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worstGapMs = Math.max(worstGapMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await task();
    worstGapMs = Math.max(worstGapMs, performance.now() - last);
    return { result, worstGapMs };
  } finally {
    clearInterval(ticker);
  }
}
