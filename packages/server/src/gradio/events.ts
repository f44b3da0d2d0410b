/**
 * Gradio's queue: events joined per session, their messages buffered until the session's stream
 * is open (both clients join first, then open it), `close_stream` once the session has nothing
 * pending, finished results kept for `/call/<api>/<event_id>`, cancellation. `estimation`
 * messages carry `rank_eta`, the seconds until the event's result, expected (null until an
 * analysis has finished).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Reservation } from '../analysis/queue.js';
import { toHttpError } from '../errors.js';
import type { SseStream, SseStreams, StreamOwner } from '../http/sse.js';
import { MAX_FINISHED_EVENTS } from './constants.js';
import type { PreparedCall } from './functions.js';

/** How an event ended. */
export type EventOutcome = { ok: true; data: unknown[]; durationS: number } | { ok: false; message: string } | { ok: 'cancelled' };

/** One queued call. */
interface QueueEvent {
  id: string;
  session: string;
  abort: AbortController;
  /** Settles when the event is finished (never rejects). */
  outcome: Promise<EventOutcome>;
  /** Queue messages go to the session's stream (false for `/call` events, read by id). */
  streamed: boolean;
  /** True once the outcome is known. */
  done: boolean;
}

/** A session's mailbox. */
interface Session {
  buffered: string[];
  pending: Set<string>;
  stream: SseStream | undefined;
  lastActive: number;
}

/** Idle sessions without a stream are dropped after this long. */
const SESSION_TTL_MS = 10 * 60 * 1000;

function dataBlock(message: object): string {
  return `data: ${JSON.stringify(message)}\n\n`;
}

const CLOSE_STREAM = dataBlock({ msg: 'close_stream', event_id: null });

/** Gradio's error payload for a failed call. */
export function errorPayload(message: string): Record<string, unknown> {
  return { error: message, title: 'Error', visible: true, duration: null };
}

/** The queue's events and sessions. */
export class GradioEvents {
  private readonly sessions = new Map<string, Session>();
  private readonly events = new Map<string, QueueEvent>();
  private readonly durations: number[] = [];
  private readonly sweeper: NodeJS.Timeout;

  /**
   * @param streams where the session streams are opened (and ended at shutdown)
   * @param estimate the `rank_eta` of an event at a rank (`AnalysisQueue.eta`); none by default
   */
  constructor(
    private readonly streams: SseStreams,
    private readonly estimate: (rank: number) => number | null = () => null,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /**
   * Queues a checked call and returns its event id at once; the call runs in the background.
   * @param session the client's session_hash
   * @param call the prepared call
   * @param root root URL of the joining request
   * @param streamed whether messages go to the session's stream (`queue/join`) or only to
   *   readers of the event id (`/call`)
   * @param reservation the queue place held for the call (released when it ends)
   */
  join(session: string, call: PreparedCall, root: string, streamed: boolean, reservation?: Reservation): string {
    const id = randomUUID().replaceAll('-', '');
    const abort = new AbortController();
    const mailbox = this.session(session);
    if (streamed) {
      mailbox.pending.add(id);
      // A close_stream not yet delivered is void: the session has work again.
      mailbox.buffered = mailbox.buffered.filter((block) => block !== CLOSE_STREAM);
    }
    const send = (message: object): void => {
      if (streamed) this.deliver(session, { ...message, event_id: id });
    };
    send({ msg: 'estimation', rank: 0, queue_size: 1, rank_eta: this.estimate(0) });
    const started = performance.now();
    const outcome = call({
      root,
      signal: abort.signal,
      ...(reservation === undefined ? {} : { reservation }),
      onRank: (rank, waiting, etaS) => send({ msg: 'estimation', rank, queue_size: waiting + 1, rank_eta: etaS }),
      onStart: () => send({ msg: 'process_starts', eta: this.averageDuration() }),
    }).then(
      (data): EventOutcome => ({ ok: true, data, durationS: (performance.now() - started) / 1000 }),
      (error: unknown): EventOutcome => (abort.signal.aborted ? { ok: 'cancelled' } : { ok: false, message: toHttpError(error).message }),
    );
    const event: QueueEvent = { id, session, abort, outcome, streamed, done: false };
    this.remember(event);
    void outcome.then((result) => {
      reservation?.release();
      this.finish(event, result);
    });
    return id;
  }

  /** The outcome of an event, or undefined for an unknown id. */
  outcomeOf(eventId: string): Promise<EventOutcome> | undefined {
    return this.events.get(eventId)?.outcome;
  }

  /**
   * Cancels an event: dropped if waiting, stopped if running; its stream gets
   * `process_completed` with an empty output.
   * @returns false for an unknown id
   */
  cancel(eventId: string): boolean {
    const event = this.events.get(eventId);
    if (event === undefined) return false;
    event.abort.abort(new Error('cancelled by the client'));
    return true;
  }

  /**
   * Opens the session's stream: buffered messages first, then live ones, `close_stream` when the
   * session has nothing pending. Unknown session: one `unexpected_error`, then the end.
   * @param sessionHash the client's session_hash
   * @param owner who opens it (for the stream caps)
   * @throws HttpError 429 / 503 `E2V_ERR_HTTP_TOO_MANY_STREAMS` (see {@link SseStreams.create})
   */
  openStream(sessionHash: string, owner?: StreamOwner): Response {
    const session = this.sessions.get(sessionHash);
    const stream = this.streams.create(dataBlock({ msg: 'heartbeat', event_id: null }), () => this.detach(sessionHash, stream), owner);
    if (session === undefined) {
      stream.write(dataBlock({ msg: 'unexpected_error', event_id: null, message: 'Session not found.', session_not_found: true, success: false }));
      stream.end();
      return stream.response;
    }
    session.stream?.end();
    session.stream = stream;
    session.lastActive = Date.now();
    const buffered = session.buffered.splice(0);
    for (const block of buffered) stream.write(block);
    if (buffered.at(-1) === CLOSE_STREAM) stream.end();
    else if (session.pending.size === 0) this.closeStream(session);
    return stream.response;
  }

  /** Cancels every unfinished event (shutdown). */
  close(): void {
    clearInterval(this.sweeper);
    for (const event of this.events.values()) event.abort.abort(new Error('the server is shutting down'));
  }

  private session(hash: string): Session {
    let session = this.sessions.get(hash);
    if (session === undefined) {
      session = { buffered: [], pending: new Set(), stream: undefined, lastActive: Date.now() };
      this.sessions.set(hash, session);
    }
    session.lastActive = Date.now();
    return session;
  }

  private deliver(hash: string, message: object): void {
    const session = this.session(hash);
    const block = dataBlock(message);
    if (session.stream !== undefined && !session.stream.closed) session.stream.write(block);
    else session.buffered.push(block);
  }

  private finish(event: QueueEvent, outcome: EventOutcome): void {
    event.done = true;
    if (outcome.ok === true) this.durations.push(outcome.durationS);
    if (this.durations.length > 100) this.durations.shift();
    if (!event.streamed) return;
    const output =
      outcome.ok === true
        ? {
            data: outcome.data,
            is_generating: false,
            duration: outcome.durationS,
            average_duration: this.averageDuration(),
            render_config: null,
            changed_state_ids: [],
          }
        : outcome.ok === false
          ? errorPayload(outcome.message)
          : {};
    this.deliver(event.session, {
      msg: 'process_completed',
      event_id: event.id,
      output,
      success: outcome.ok !== false,
      title: outcome.ok === false ? 'Error' : null,
    });
    const session = this.session(event.session);
    session.pending.delete(event.id);
    if (session.pending.size === 0) this.closeStream(session);
  }

  /** Sends `close_stream` (buffered if no stream is open) and ends the open stream. */
  private closeStream(session: Session): void {
    if (session.stream !== undefined && !session.stream.closed) {
      session.stream.write(CLOSE_STREAM);
      session.stream.end();
    } else {
      session.buffered.push(CLOSE_STREAM);
    }
  }

  private detach(hash: string, stream: SseStream): void {
    const session = this.sessions.get(hash);
    if (session === undefined || session.stream !== stream) return;
    session.stream = undefined;
    // A client that goes away loses what it did not read (Gradio drops it too).
    session.buffered.length = 0;
    session.lastActive = Date.now();
  }

  private remember(event: QueueEvent): void {
    this.events.set(event.id, event);
    if (this.events.size <= MAX_FINISHED_EVENTS) return;
    for (const [id, old] of this.events) {
      if (this.events.size <= MAX_FINISHED_EVENTS) break;
      if (old.done) this.events.delete(id);
    }
  }

  private averageDuration(): number | null {
    if (this.durations.length === 0) return null;
    return this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
  }

  private sweep(): void {
    const cutoff = Date.now() - SESSION_TTL_MS;
    for (const [hash, session] of this.sessions) {
      if (session.stream === undefined && session.pending.size === 0 && session.lastActive < cutoff) this.sessions.delete(hash);
    }
  }
}
