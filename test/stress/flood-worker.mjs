/**
 * One process of the stress flood (run by run.mjs with `fork`): opens COUNT connections to the
 * server, each its own socket, and keeps them open. Mode `heartbeat`: `GET
 * /gradio_api/heartbeat/<prefix>-<i>` streams, a new session each; mode `silent`: TCP
 * connections that send nothing. Several processes share a flood so that no one of them reaches
 * its own open-file limit.
 *
 * Messages to the parent: `{ type: 'opened', ... }` once every connection was tried, then a
 * `{ type: 'counts', ... }` answer to each `report`; `stop` closes everything and exits.
 *
 *   node flood-worker.mjs URL MODE COUNT PREFIX
 * @module
 */
import { request } from 'node:http';
import { connect } from 'node:net';

const [url, mode, countArg, prefix] = /** @type {[string, string, string, string]} */ (process.argv.slice(2));
if (process.send === undefined) throw new Error('flood-worker.mjs reports over IPC: run.mjs forks it');
const send = process.send.bind(process);
const { hostname, port } = new URL(url);
const count = Number(countArg);
/** Connections attempted at once while opening. */
const BATCH = 200;

const counts = { opened: 0, ended: 0, refused: 0, errors: 0 };
const sockets = new Set();

/**
 * Opens one heartbeat stream; resolves once its first chunk (or its refusal) arrived.
 * @param {number} i the stream's number (in its session hash)
 */
function heartbeat(i) {
  return new Promise((resolve) => {
    const req = request({ host: hostname, port, path: `/gradio_api/heartbeat/${prefix}-${i}`, agent: false });
    let settled = false;
    const settle = () => {
      if (!settled) resolve((settled = true));
    };
    req.on('socket', (socket) => sockets.add(socket));
    req.on('response', (res) => {
      if (res.statusCode !== 200) counts.refused += 1;
      else counts.opened += 1;
      res.once('data', settle);
      res.on('end', () => {
        if (res.statusCode === 200) counts.ended += 1;
        settle();
      });
      res.on('error', settle);
    });
    req.on('error', () => {
      counts.errors += 1;
      settle();
    });
    req.end();
  });
}

/**
 * Opens one silent connection; resolves once connected (or refused).
 * @returns {Promise<void>}
 */
function silent() {
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let connected = false;
    sockets.add(socket);
    socket.once('connect', () => {
      connected = true;
      counts.opened += 1;
      resolve();
    });
    socket.once('close', () => {
      if (connected) counts.ended += 1;
      else counts.errors += 1;
      resolve();
    });
    socket.on('error', () => undefined);
  });
}

for (let start = 0; start < count; start += BATCH) {
  const batch = [];
  for (let i = start; i < Math.min(count, start + BATCH); i++) batch.push(mode === 'silent' ? silent() : heartbeat(i));
  await Promise.all(batch);
}
send({ type: 'opened', ...counts });
process.on('message', (message) => {
  if (message === 'report') send({ type: 'counts', ...counts });
  if (message === 'stop') {
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  }
});
