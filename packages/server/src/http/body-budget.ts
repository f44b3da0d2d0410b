/**
 * A cap on request bodies being read at once and on their bytes in flight. A body is admitted
 * before its first byte is read, with the size its `Content-Length` declares; a body of unknown
 * size is charged as it arrives. Past either cap the body is refused at once (503 with
 * Retry-After), so a burst of large requests never makes the server read them all; a body larger
 * than the whole byte cap, which no wait would let in, is 413.
 * @module
 */
import { HttpError, RETRY_AFTER_S, tooLarge } from '../errors.js';

/** One admitted body. */
export interface BodyTicket {
  /**
   * Counts `bytes` more of the body (beyond what it declared).
   * @throws HttpError 503 `E2V_ERR_HTTP_BUSY` when that goes over the byte cap
   */
  charge(bytes: number): void;
  /** The body is read (or abandoned): its place and bytes are free again. Safe to call twice. */
  release(): void;
}

/** Bodies read at once, and their bytes. */
export class BodyBudget {
  private bodies = 0;
  private bytes = 0;

  /**
   * @param kind what the bodies are, for the refusal message (`uploads`, `JSON bodies`)
   * @param maxBodies most bodies at once
   * @param maxBytes most bytes of all of them
   */
  constructor(
    private readonly kind: string,
    private readonly maxBodies: number,
    private readonly maxBytes: number,
  ) {}

  /** Bodies being read. */
  get active(): number {
    return this.bodies;
  }

  /**
   * Admits a body.
   * @param declared its `Content-Length`, or undefined when not declared
   * @throws HttpError 503 `E2V_ERR_HTTP_BUSY` (Retry-After) when the budget has no room now, 413
   *   `E2V_ERR_HTTP_TOO_LARGE` when the body is larger than the whole budget
   */
  admit(declared: number | undefined): BodyTicket {
    const reserved = declared ?? 0;
    if (reserved > this.maxBytes) throw tooLarge(this.maxBytes);
    if (this.bodies >= this.maxBodies || this.bytes + reserved > this.maxBytes) throw this.busy();
    this.bodies += 1;
    this.bytes += reserved;
    let charged = reserved;
    let open = true;
    return {
      charge: (more) => {
        if (!open) return;
        if (this.bytes + more > this.maxBytes) throw this.busy();
        this.bytes += more;
        charged += more;
      },
      release: () => {
        if (!open) return;
        open = false;
        this.bodies -= 1;
        this.bytes -= charged;
      },
    };
  }

  private busy(): HttpError {
    return new HttpError(
      503,
      'E2V_ERR_HTTP_BUSY',
      `The server is receiving too many ${this.kind} at once (${this.bodies}, ${Math.ceil(this.bytes / 1048576)} MB); retry later`,
      {
        'Retry-After': String(RETRY_AFTER_S),
      },
    );
  }
}
