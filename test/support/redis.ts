/**
 * A real `redis-server` for the scale-out tests: installed with apt when missing
 * (scripts/ensure-system-packages.mjs), started on a free loopback port with its own temporary
 * folder and the append-only file on (so a restart keeps every accepted job), restartable on the
 * same port and folder, and stopped at the end.
 * @module
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REDIS_SERVER = '/usr/bin/redis-server';
const ENSURE_SCRIPT = fileURLToPath(new URL('../../scripts/ensure-system-packages.mjs', import.meta.url));

/** Installs Debian's redis-server when it is missing (throws when that is not possible). */
function ensureRedisServer(): void {
  if (!existsSync(REDIS_SERVER)) execFileSync(process.execPath, [ENSURE_SCRIPT], { stdio: 'inherit' });
}

/** A free loopback TCP port (taken by the OS, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One redis-server of a test run. */
export class TestRedis {
  private process: ChildProcess | null = null;
  private output = '';

  private constructor(
    /** The loopback port it listens on. */
    readonly port: number,
    /** Its working folder (appendonly files). */
    readonly dir: string,
  ) {}

  /** Installs redis-server when needed, then starts one on a free port with a new folder. */
  static async start(): Promise<TestRedis> {
    ensureRedisServer();
    const redis = new TestRedis(await freePort(), await mkdtemp(join(tmpdir(), 'e2v-redis-')));
    await redis.launch();
    return redis;
  }

  /** The URL clients use. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops it (SIGTERM: the append-only file is flushed) and starts it again on the same port and folder. */
  async restart(): Promise<void> {
    await this.halt();
    await this.launch();
  }

  /** Stops it and removes its folder. */
  async stop(): Promise<void> {
    await this.halt();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Stops the process only (the folder stays, for {@link restart}). */
  async halt(): Promise<void> {
    const child = this.process;
    if (child === null) return;
    this.process = null;
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Starts the process on this port and folder (appendfsync always: nothing acknowledged is lost). */
  async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--protected-mode',
      'yes',
      '--maxmemory-policy',
      'noeviction',
    ];
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.process = child;
    try {
      await waitForPort(this.port, 10_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.output.slice(-2000)}`);
    }
  }
}
