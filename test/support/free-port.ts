/**
 * A loopback port nothing listens on right now: for a server to start on, or for a client to
 * be refused by at once.
 * @module
 */
import { createServer, type AddressInfo } from 'node:net';

/** A port of 127.0.0.1 that was free a moment ago (the system picked it, then it was let go). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
