/**
 * A server-sent-events response the caller writes to: raw blocks, a heartbeat on silence, and a
 * callback when the client goes away. Gradio's two stream dialects (`data:` only for the queue,
 * `event:` + `data:` for `/call`) are written by their routes.
 * @module
 */

/** Seconds of silence before a heartbeat (Gradio's value). */
export const HEARTBEAT_S = 15;

/** An open event stream. */
export class SseStream {
  /** The response to return from the route. */
  readonly response: Response;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private readonly encoder = new TextEncoder();

  /**
   * @param heartbeat the block sent after {@link HEARTBEAT_S} seconds of silence (null: none)
   * @param onClose called once when the stream ends, by either side
   * @param heartbeatMs silence before a heartbeat (tests shorten it)
   */
  constructor(
    private readonly heartbeat: string | null,
    private readonly onClose: () => void,
    private readonly heartbeatMs = HEARTBEAT_S * 1000,
  ) {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
        this.armHeartbeat();
      },
      cancel: () => this.finish(false),
    });
    this.response = new Response(body, {
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' },
    });
  }

  /** True once the stream ended. */
  get closed(): boolean {
    return this.ended;
  }

  /** Sends one block (must end with a blank line). */
  write(block: string): void {
    if (this.ended || this.controller === undefined) return;
    this.controller.enqueue(this.encoder.encode(block));
    this.armHeartbeat();
  }

  /** Ends the stream from the server side. */
  end(): void {
    this.finish(true);
  }

  private armHeartbeat(): void {
    if (this.heartbeat === null) return;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => this.write(this.heartbeat!), this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private finish(closeBody: boolean): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.heartbeatTimer);
    if (closeBody) {
      try {
        this.controller?.close();
      } catch {
        // already cancelled by the client
      }
    }
    this.onClose();
  }
}

/** Every open stream of a server, so a shutdown can end them cleanly before closing sockets. */
export class SseStreams {
  private readonly open = new Set<SseStream>();

  /** @param heartbeatMs silence before a heartbeat (tests shorten it) */
  constructor(private readonly heartbeatMs = HEARTBEAT_S * 1000) {}

  /**
   * Opens a tracked stream (see {@link SseStream}).
   * @param heartbeat block sent on silence, or null
   * @param onClose called once when the stream ends
   */
  create(heartbeat: string | null, onClose: () => void = () => undefined): SseStream {
    const stream: SseStream = new SseStream(
      heartbeat,
      () => {
        this.open.delete(stream);
        onClose();
      },
      this.heartbeatMs,
    );
    this.open.add(stream);
    return stream;
  }

  /** Ends every open stream. */
  endAll(): void {
    for (const stream of [...this.open]) stream.end();
  }
}
