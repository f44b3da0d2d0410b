/**
 * Entry point of a decode worker thread: decodes each {@link DecodeRequest} it receives and
 * replies with the channels (transferred, not copied) or a typed failure.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { decodeBytes } from './decode-bytes.js';
import { failureReply, type DecodeRequest, type DecodeSuccess } from './worker-protocol.js';

if (!parentPort) throw new Error('decode worker: must be started as a worker thread');
const port = parentPort;

// The decoder libraries print to the console on bad input (mpg123 once per broken frame). A
// worker's console goes to the process's stdout/stderr, which a CLI may be using for JSON lines:
// silence it here. (Piping the worker's stdio to the pool instead keeps the process alive.)
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  console[method] = () => undefined;
}

port.on('message', (request: DecodeRequest) => {
  decodeBytes(request.bytes, request.format, request.maxDurationS).then(
    ({ channels, sampleRate }) => {
      const reply: DecodeSuccess = { id: request.id, ok: true, channels, sampleRate };
      port.postMessage(reply, channels.map((c) => c.buffer as ArrayBuffer));
    },
    (thrown: unknown) => port.postMessage(failureReply(request.id, thrown)),
  );
});
