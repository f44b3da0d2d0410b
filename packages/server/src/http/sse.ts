/**
 * A server-sent-events response the caller writes to: raw blocks, a heartbeat on silence, and a
 * callback when the client goes away. Gradio's two stream dialects (`data:` only for the queue,
 * `event:` + `data:` for `/call`) are written by their routes. {@link SseStreams} caps the open
 * streams in total and per client address: a Gradio session has one heartbeat stream (a new one
 * ends the old), and at a cap the oldest heartbeat stream is ended to make room (heartbeats carry
 * nothing a client loses); only when there is none is the new stream refused. A stream's
 * connection closes with it (`Connection: close`), so an ended stream frees its socket too.
 * @module
 */
import { HttpError, RETRY_AFTER_S } from '../errors.js';
import { isCappedAddress } from './node-request.js';
import { KeyCounts } from './key-counts.js';

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
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', Connection: 'close' },
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

/** Who holds a stream, for the caps. */
export interface StreamOwner {
  /** The client's address ('' when unknown; loopback addresses have no per-address cap). */
  client: string;
  /** For a heartbeat stream: its Gradio session (one per session; the first to end at a cap). */
  heartbeatOf?: string;
}

/** Caps on open streams. */
export interface StreamLimits {
  /** Open streams in all. */
  maxStreams: number;
  /** Open streams of one non-loopback address. */
  maxStreamsPerClient: number;
}

const UNLIMITED: StreamLimits = { maxStreams: Number.POSITIVE_INFINITY, maxStreamsPerClient: Number.POSITIVE_INFINITY };

/** Every open stream of a server, within its caps, so a shutdown can end them cleanly before closing sockets. */
export class SseStreams {
  /** Open streams, oldest first. */
  private readonly open = new Map<SseStream, StreamOwner>();
  private readonly perClient = new KeyCounts();

  /**
   * @param heartbeatMs silence before a heartbeat (tests shorten it)
   * @param limits caps on open streams (default none)
   */
  constructor(
    private readonly heartbeatMs = HEARTBEAT_S * 1000,
    private readonly limits: StreamLimits = UNLIMITED,
  ) {}

  /** Open streams. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Opens a tracked stream (see {@link SseStream}), first making room under the caps.
   * @param heartbeat block sent on silence, or null
   * @param onClose called once when the stream ends
   * @param owner who holds it (default: unknown client, not a heartbeat stream)
   * @throws HttpError 429 `E2V_ERR_HTTP_TOO_MANY_STREAMS` over the per-address cap, 503 over the
   *   total cap (both with Retry-After), when no heartbeat stream can be ended instead
   */
  create(heartbeat: string | null, onClose: () => void = () => undefined, owner: StreamOwner = { client: '' }): SseStream {
    this.makeRoom(owner);
    const stream: SseStream = new SseStream(
      heartbeat,
      () => {
        this.open.delete(stream);
        this.perClient.add(owner.client, -1);
        onClose();
      },
      this.heartbeatMs,
    );
    this.open.set(stream, owner);
    this.perClient.add(owner.client, 1);
    return stream;
  }

  /** Ends every open stream. */
  endAll(): void {
    for (const stream of [...this.open.keys()]) stream.end();
  }

  private makeRoom(owner: StreamOwner): void {
    if (owner.heartbeatOf !== undefined) this.endHeartbeat((other) => other.heartbeatOf === owner.heartbeatOf);
    const capped = isCappedAddress(owner.client);
    if (capped && this.perClient.get(owner.client) >= this.limits.maxStreamsPerClient && !this.endHeartbeat((other) => other.client === owner.client)) {
      throw this.refusal(429, `Too many event streams from ${owner.client}: at most ${this.limits.maxStreamsPerClient}`);
    }
    if (this.open.size >= this.limits.maxStreams && !this.endHeartbeat(() => true)) {
      throw this.refusal(503, `Too many event streams are open (${this.open.size}); retry later`);
    }
  }

  /** Ends the oldest heartbeat stream whose owner matches; false when there is none. */
  private endHeartbeat(matches: (owner: StreamOwner) => boolean): boolean {
    for (const [stream, owner] of this.open) {
      if (owner.heartbeatOf !== undefined && matches(owner)) {
        stream.end();
        return true;
      }
    }
    return false;
  }

  private refusal(status: 429 | 503, message: string): HttpError {
    return new HttpError(status, 'E2V_ERR_HTTP_TOO_MANY_STREAMS', message, { 'Retry-After': String(RETRY_AFTER_S) });
  }
}
