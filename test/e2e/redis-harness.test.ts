/**
 * The Redis harness of the scale-out tests (test/support/redis.ts): a real redis-server on a free
 * loopback port whose append-only file keeps what it accepted across a restart on the same port.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRedis } from '../support/redis.js';

/** Runs redis-cli against `redis`. */
function cli(redis: TestRedis, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }).trim();
}

describe('TestRedis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('should keep a written key across a restart on the same port', async () => {
    expect(cli(redis, 'SET', 'k', 'v')).toBe('OK');
    await redis.restart();
    expect(cli(redis, 'GET', 'k')).toBe('v');
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
  });

  it('should remove its folder when stopped', async () => {
    const other = await TestRedis.start();
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
  });
});
