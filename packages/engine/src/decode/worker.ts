/**
 * Entry point of a decode worker thread: decodes each {@link DecodeRequest} it receives and
 * replies with the channels (transferred, not copied), or streams 16 kHz mono chunks under a
 * window of {@link STREAM_WINDOW} unacknowledged chunks, or replies with a typed failure.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { decodeBytes } from './decode-bytes.js';
import { ChannelsSink, Mono16kSink } from './pcm-sink.js';
import { failureReply, STREAM_WINDOW, type ChunkAck, type DecodeChunk, type DecodedOutput, type DecodeRequest } from './worker-protocol.js';

if (!parentPort) throw new Error('decode worker: must be started as a worker thread');
const port = parentPort;

// The decoder libraries print to the console on bad input (mpg123 once per broken frame). A
// worker's console goes to the process's stdout/stderr, which a CLI may be using for JSON lines:
// silence it here. (Piping the worker's stdio to the pool instead keeps the process alive.)
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  console[method] = () => undefined;
}

/** Flow control of the one streamed job a worker runs at a time. */
const window = {
  job: 0,
  unacked: 0,
  waiting: undefined as (() => void) | undefined,
  acked(): void {
    this.unacked -= 1;
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.();
  },
};

/** Posts a chunk and, when the window is full, waits for an acknowledgement; returns the ms waited. */
async function sendChunk(id: number, chunk: Float32Array): Promise<number> {
  port.postMessage({ id, chunk } satisfies DecodeChunk, [chunk.buffer as ArrayBuffer]);
  window.unacked += 1;
  if (window.unacked < STREAM_WINDOW) return 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    window.waiting = resolve;
  });
  return performance.now() - t0;
}

/** Decodes one request into the output it asks for, and the buffers to transfer. */
async function decode(request: DecodeRequest): Promise<{ output: DecodedOutput; transfer: ArrayBuffer[] }> {
  const t0 = performance.now();
  if (request.output === 'stream16k') {
    window.job = request.id;
    window.unacked = 0;
    let waitedMs = 0;
    const sink = new Mono16kSink(async (chunk) => {
      waitedMs += await sendChunk(request.id, chunk);
    });
    const { channels, warnings } = await decodeBytes(request.bytes, request.format, request.maxDurationS, sink);
    const { source, resampleMs } = await sink.end(channels);
    const decodeMs = performance.now() - t0 - waitedMs - resampleMs;
    return { output: { output: 'stream16k', source, warnings, decodeMs, resampleMs }, transfer: [] };
  }
  const sink = new ChannelsSink();
  const { channels, warnings } = await decodeBytes(request.bytes, request.format, request.maxDurationS, sink);
  const audio = sink.result(channels);
  return { output: { output: 'channels', warnings, ...audio }, transfer: audio.channels.map((c) => c.buffer as ArrayBuffer) };
}

port.on('message', (message: DecodeRequest | ChunkAck) => {
  if ('ack' in message) {
    if (message.id === window.job) window.acked();
    return;
  }
  decode(message).then(
    ({ output, transfer }) => port.postMessage({ id: message.id, ok: true, ...output }, transfer),
    (thrown: unknown) => port.postMessage(failureReply(message.id, thrown)),
  );
});
