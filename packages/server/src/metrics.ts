/**
 * Prometheus metrics (`GET /metrics`): requests by route and status, request latency,
 * queue depth, inference seconds, analyses by outcome, audio seconds analyzed. One registry
 * per server, so several servers in one process (tests) never share counters.
 * @module
 */
import type { Result } from '@e2v/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's metrics. */
export class ServerMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'e2v_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'e2v_http_request_duration_seconds',
    help: 'Time to the response headers, by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly inference = new Histogram({
    name: 'e2v_inference_seconds',
    help: 'Model inference time per analysis',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  private readonly analyses = new Counter({
    name: 'e2v_analyses_total',
    help: 'Analyses by outcome (ok, or the error code)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly audioSeconds = new Counter({
    name: 'e2v_audio_seconds_total',
    help: 'Seconds of audio analyzed',
    registers: [this.registry],
  });

  /**
   * @param queueDepth reads the number of waiting analyses when scraped
   * @param queueActive reads the number of running analyses when scraped
   */
  constructor(queueDepth: () => number, queueActive: () => number) {
    new Gauge({
      name: 'e2v_queue_depth',
      help: 'Analyses waiting in the queue',
      registers: [this.registry],
      collect() {
        this.set(queueDepth());
      },
    });
    new Gauge({
      name: 'e2v_queue_active',
      help: 'Analyses running',
      registers: [this.registry],
      collect() {
        this.set(queueActive());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'e2v_process_' });
  }

  /** Counts a finished request. */
  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ route }, seconds);
  }

  /** Counts a successful analysis. */
  recordAnalysis(result: Result, outcome: 'ok'): void {
    this.analyses.inc({ outcome });
    this.inference.observe(result.timings_ms.inference / 1000);
    this.audioSeconds.inc(result.audio.duration_s);
  }

  /** Counts a failed analysis by its error code. */
  recordFailure(code: string): void {
    this.analyses.inc({ outcome: code });
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
