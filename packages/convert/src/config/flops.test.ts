import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { forwardFlops } from './flops.js';

const FULL_SIZE = fileURLToPath(new URL('../../../../test/fixtures/emotion2vec/full-size-config.yaml', import.meta.url));

describe('forwardFlops', () => {
  it('should count 23.3 GFLOP per audio second for emotion2vec+ large at 20 s', async () => {
    const config = parseConfig(await readFile(FULL_SIZE, 'utf8'));
    const f = forwardFlops(config, 20 * 16000);
    // by hand: 999 frames + 10 extra tokens; 12 blocks of 12 D^2 MACs per token; conv layers
    // (512 ch) 3199, 1599, 799, 399, 199, 99, 49 + ... frames; positional conv kernel 19, 16 groups
    expect(f.total / 20 / 1e9).toBeCloseTo(23.3, 1);
    expect(f.linear).toBe(12 * 2 * 1009 * 12 * 1024 * 1024);
    expect(f.attention).toBe(12 * 4 * 1009 * 1009 * 1024);
    expect(f.total).toBe(f.extractor + f.positional + f.linear + f.attention);
    expect(f.extractor / f.total).toBeGreaterThan(0.2); // the conv stack is a fifth of the work
  });

  it('should grow with the square of the length only in attention', async () => {
    const config = parseConfig(await readFile(FULL_SIZE, 'utf8'));
    const a = forwardFlops(config, 10 * 16000);
    const b = forwardFlops(config, 20 * 16000);
    expect(b.linear / a.linear).toBeCloseTo(1009 / 509, 5);
    expect(b.attention / a.attention).toBeCloseTo((1009 / 509) ** 2, 5);
  });
});
