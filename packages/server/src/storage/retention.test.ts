import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEBRIS_AGE_MS, Retention, RETENTION_GRACE_MS, type RetentionLimits } from './retention.js';

const HOUR = 3600_000;
const NOW = Date.now();

let dir: string;
const pinned = new Set<string>();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2v-retention-'));
  pinned.clear();
});

/** An entry folder `name` holding `bytes` bytes, last written `ageMs` ago. */
async function entry(name: string, bytes: number, ageMs: number): Promise<void> {
  const path = join(dir, name);
  await mkdir(path);
  await writeFile(join(path, 'file.bin'), new Uint8Array(bytes));
  const when = new Date(NOW - ageMs);
  await utimes(join(path, 'file.bin'), when, when);
  await utimes(path, when, when);
}

function retention(limits: RetentionLimits): Retention {
  return new Retention({
    dir,
    label: 'test',
    limits,
    kind: (name) => (name.startsWith('e') ? 'entry' : name.startsWith('.tmp') ? 'debris' : undefined),
    inUse: (path) => pinned.has(path),
    logger: pino({ level: 'silent' }),
  });
}

const left = async (): Promise<string[]> => (await readdir(dir)).sort();

describe('Retention', () => {
  it('should remove entries older than the maximum age, and nothing else', async () => {
    await entry('e-old', 10, 30 * HOUR);
    await entry('e-new', 10, 2 * HOUR);
    await entry('other-old', 10, 30 * HOUR);
    expect(await retention({ maxAgeMs: 24 * HOUR }).sweep(NOW)).toEqual([join(dir, 'e-old')]);
    expect(await left()).toEqual(['e-new', 'other-old']);
  });

  it('should remove the oldest entries until the folder is under the maximum size', async () => {
    await entry('e1', 400, 4 * HOUR);
    await entry('e2', 400, 3 * HOUR);
    await entry('e3', 400, 2 * HOUR);
    await entry('e4', 400, 1 * HOUR);
    await retention({ maxBytes: 1000 }).sweep(NOW);
    expect(await left()).toEqual(['e3', 'e4']);
  });

  it('should never remove an entry in use or one younger than the grace period', async () => {
    await entry('e-pinned', 400, 30 * HOUR);
    await entry('e-old', 400, 29 * HOUR);
    await entry('e-fresh', 4000, RETENTION_GRACE_MS / 2);
    pinned.add(join(dir, 'e-pinned'));
    await retention({ maxAgeMs: HOUR, maxBytes: 100 }).sweep(NOW);
    expect(await left()).toEqual(['e-fresh', 'e-pinned']);
  });

  it('should keep everything without limits, but remove old debris', async () => {
    await entry('e-old', 10, 1000 * HOUR);
    await writeFile(join(dir, '.tmp-old'), 'x');
    await utimes(join(dir, '.tmp-old'), new Date(NOW - DEBRIS_AGE_MS - HOUR), new Date(NOW - DEBRIS_AGE_MS - HOUR));
    await writeFile(join(dir, '.tmp-new'), 'x');
    const keeper = retention({});
    expect(keeper.limited).toBe(false);
    await keeper.sweep(NOW);
    expect(await left()).toEqual(['.tmp-new', 'e-old']);
  });

  it('should run one sweep at a time', async () => {
    await entry('e-old', 10, 30 * HOUR);
    const sweeper = retention({ maxAgeMs: HOUR });
    const [a, b] = await Promise.all([sweeper.sweep(NOW), sweeper.sweep(NOW)]);
    expect(a).toEqual([join(dir, 'e-old')]);
    expect(b).toBe(a);
  });
});
