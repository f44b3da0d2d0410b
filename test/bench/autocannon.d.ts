/**
 * The part of autocannon's API that server-overhead.mjs uses (the package ships no types).
 * @module
 */
declare module 'autocannon' {
  /** One load run. */
  export interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: Buffer;
  }
  /** A run's totals. */
  export interface Result {
    /** Seconds the run took. */
    duration: number;
    non2xx: number;
    errors: number;
    timeouts: number;
  }
  /** A running load run: a promise of its totals that reports each response. */
  export interface Instance extends PromiseLike<Result> {
    on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): this;
  }
  /** Starts a load run. */
  function autocannon(options: Options): Instance;
  export default autocannon;
}
