import { describe, expect, it } from 'vitest';
import { SseStreams } from '../http/sse.js';
import { GradioEvents } from './events.js';
import type { CallContext, PreparedCall } from './functions.js';

/** Reads a whole `data:`-only event stream into its messages. */
async function messages(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  const blocks = text.split('\n\n').filter((b) => b !== '');
  for (const block of blocks) expect(block).toMatch(/^data: \{.*\}$/);
  return blocks.map((b) => JSON.parse(b.slice('data: '.length)) as Record<string, unknown>);
}

/** A call that finishes when told to. */
function controlled(): { call: PreparedCall; finish: (data: unknown[]) => void; fail: (error: Error) => void; context: () => CallContext | undefined } {
  let resolveCall!: (data: unknown[]) => void;
  let rejectCall!: (error: Error) => void;
  let seen: CallContext | undefined;
  const result = new Promise<unknown[]>((resolve, reject) => {
    resolveCall = resolve;
    rejectCall = reject;
  });
  return {
    call: (context) => {
      seen = context;
      context.onStart?.();
      return result;
    },
    finish: resolveCall,
    fail: rejectCall,
    context: () => seen,
  };
}

const ROOT = 'http://127.0.0.1:7860';

describe('GradioEvents', () => {
  it('should keep the messages produced before the stream opens, then close the stream', async () => {
    const events = new GradioEvents(new SseStreams());
    const id = events.join(
      's1',
      async (context) => {
        context.onStart?.();
        return ['done'];
      },
      ROOT,
      true,
    );
    await events.outcomeOf(id);
    const received = await messages(events.openStream('s1'));
    expect(received.map((m) => m.msg)).toEqual(['estimation', 'process_starts', 'process_completed', 'close_stream']);
    expect(received[2]).toMatchObject({ event_id: id, success: true, output: { data: ['done'], is_generating: false } });
    expect(received[2]!.output).not.toHaveProperty('error');
    expect(received[3]).toEqual({ msg: 'close_stream', event_id: null });
    events.close();
  });

  it('should stream live messages of every pending event and close only when all are done', async () => {
    const events = new GradioEvents(new SseStreams());
    const first = controlled();
    const second = controlled();
    const a = events.join('s2', first.call, ROOT, true);
    const b = events.join('s2', second.call, ROOT, true);
    const stream = messages(events.openStream('s2'));
    first.finish(['a']);
    await events.outcomeOf(a);
    second.fail(new Error('decoder exploded'));
    await events.outcomeOf(b);
    const received = await stream;
    const completed = received.filter((m) => m.msg === 'process_completed');
    expect(completed.map((m) => m.event_id)).toEqual([a, b]);
    expect(completed[1]).toMatchObject({
      success: false,
      title: 'Error',
      output: { error: 'Internal server error (see the server log)', title: 'Error', visible: true },
    });
    expect(received.at(-1)?.msg).toBe('close_stream');
    expect(received.filter((m) => m.msg === 'close_stream')).toHaveLength(1);
    events.close();
  });

  it('should put the estimate in estimation messages: at the join and with each rank the queue reports', async () => {
    const events = new GradioEvents(new SseStreams(), (rank) => 1.5 + rank);
    const id = events.join(
      's-eta',
      async (context) => {
        context.onRank?.(2, 3, 7.25);
        context.onStart?.();
        return ['done'];
      },
      ROOT,
      true,
    );
    await events.outcomeOf(id);
    const estimations = (await messages(events.openStream('s-eta'))).filter((m) => m.msg === 'estimation');
    expect(estimations).toEqual([
      { msg: 'estimation', event_id: id, rank: 0, queue_size: 1, rank_eta: 1.5 },
      { msg: 'estimation', event_id: id, rank: 2, queue_size: 4, rank_eta: 7.25 },
    ]);
    events.close();
  });

  it('should answer an unknown session with session_not_found', async () => {
    const events = new GradioEvents(new SseStreams());
    expect(await messages(events.openStream('nobody'))).toEqual([
      { msg: 'unexpected_error', event_id: null, message: 'Session not found.', session_not_found: true, success: false },
    ]);
    events.close();
  });

  it('should keep /call events off the session stream and give their outcome by id', async () => {
    const events = new GradioEvents(new SseStreams());
    const id = events.join('call-1', async () => ['x'], ROOT, false);
    await expect(events.outcomeOf(id)).resolves.toMatchObject({ ok: true, data: ['x'] });
    expect(events.outcomeOf('missing')).toBeUndefined();
    expect(await messages(events.openStream('call-1'))).toEqual([{ msg: 'close_stream', event_id: null }]);
    events.close();
  });

  it('should cancel an event: its signal fires and it completes with an empty output', async () => {
    const events = new GradioEvents(new SseStreams());
    const call = controlled();
    const id = events.join(
      's3',
      (context) => {
        context.signal.addEventListener('abort', () => call.fail(new Error('aborted')));
        return call.call(context);
      },
      ROOT,
      true,
    );
    expect(events.cancel(id)).toBe(true);
    expect(events.cancel('missing')).toBe(false);
    await expect(events.outcomeOf(id)).resolves.toEqual({ ok: 'cancelled' });
    const received = await messages(events.openStream('s3'));
    expect(received.find((m) => m.msg === 'process_completed')).toMatchObject({ output: {}, success: true });
    events.close();
  });

  it('should send heartbeats on a silent stream', async () => {
    const events = new GradioEvents(new SseStreams(20));
    const call = controlled();
    events.join('s4', call.call, ROOT, true);
    const response = events.openStream('s4');
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('"heartbeat"')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('data: {"msg":"heartbeat","event_id":null}\n\n');
    call.finish([]);
    await reader.cancel();
    events.close();
  });
});
