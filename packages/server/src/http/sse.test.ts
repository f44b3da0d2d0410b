import { describe, expect, it } from 'vitest';
import { isCappedAddress } from './node-request.js';
import { SseStreams } from './sse.js';

const LOCAL = '127.0.0.1';

describe('SseStreams caps', () => {
  it('should end the oldest heartbeat stream to make room at the total cap', () => {
    const streams = new SseStreams(60_000, { maxStreams: 3, maxStreamsPerClient: 100 });
    const heartbeats = ['a', 'b', 'c'].map((session) => streams.create('data: ALIVE\n\n', undefined, { client: LOCAL, heartbeatOf: session }));
    const events = streams.create(null, undefined, { client: LOCAL });
    expect(heartbeats.map((s) => s.closed)).toEqual([true, false, false]);
    expect(events.closed).toBe(false);
    expect(streams.size).toBe(3);
    streams.endAll();
  });

  it('should refuse a stream with 503 and Retry-After when the cap is reached and no heartbeat stream can go', () => {
    const streams = new SseStreams(60_000, { maxStreams: 2, maxStreamsPerClient: 100 });
    streams.create(null, undefined, { client: LOCAL });
    streams.create(null, undefined, { client: LOCAL });
    expect(() => streams.create(null, undefined, { client: LOCAL })).toThrow(
      expect.objectContaining({ status: 503, code: 'E2V_ERR_HTTP_TOO_MANY_STREAMS', headers: { 'Retry-After': '5' } }),
    );
    expect(() => streams.create('data: ALIVE\n\n', undefined, { client: LOCAL, heartbeatOf: 's' })).toThrow(expect.objectContaining({ status: 503 }));
    streams.endAll();
    expect(streams.size).toBe(0);
  });

  it('should keep one heartbeat stream per session: a new one ends the old', () => {
    const streams = new SseStreams();
    const first = streams.create('data: ALIVE\n\n', undefined, { client: LOCAL, heartbeatOf: 's1' });
    const other = streams.create('data: ALIVE\n\n', undefined, { client: LOCAL, heartbeatOf: 's2' });
    const second = streams.create('data: ALIVE\n\n', undefined, { client: LOCAL, heartbeatOf: 's1' });
    expect([first.closed, other.closed, second.closed]).toEqual([true, false, false]);
    streams.endAll();
  });

  it('should cap the streams of one non-loopback address (429), but not of loopback clients', () => {
    const streams = new SseStreams(60_000, { maxStreams: 100, maxStreamsPerClient: 2 });
    const remote = '192.0.2.7';
    streams.create(null, undefined, { client: remote });
    const beat = streams.create('data: ALIVE\n\n', undefined, { client: remote, heartbeatOf: 'r1' });
    streams.create(null, undefined, { client: remote }); // ends the address's heartbeat stream
    expect(beat.closed).toBe(true);
    expect(() => streams.create(null, undefined, { client: remote })).toThrow(expect.objectContaining({ status: 429, code: 'E2V_ERR_HTTP_TOO_MANY_STREAMS' }));
    for (let i = 0; i < 5; i++) streams.create(null, undefined, { client: LOCAL });
    expect(streams.size).toBe(7);
    streams.endAll();
  });

  it('should treat only known, non-loopback addresses as capped clients', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1', ''].map(isCappedAddress)).toEqual([false, false, false, false, false]);
    expect(['192.0.2.7', '::ffff:10.0.0.1', '2001:db8::1'].map(isCappedAddress)).toEqual([true, true, true]);
  });
});
