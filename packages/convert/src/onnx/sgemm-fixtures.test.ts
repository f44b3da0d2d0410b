/**
 * @e2v/benchkit's MatMul models (the peak sgemm yardstick) are what bench/sgemm-fixtures.ts
 * writes with this package's graph builder: the committed bytes have a source.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SGEMM_FIXTURES_DIR } from '@e2v/benchkit';
import { describe, expect, it } from 'vitest';
import { writeSgemmModels } from '../../bench/sgemm-fixtures.js';

describe("benchkit's sgemm fixtures", () => {
  it('should be byte for byte what the generator writes', async () => {
    const work = await mkdtemp(join(tmpdir(), 'e2v-sgemm-check-'));
    try {
      await writeSgemmModels(work);
      for (const name of ['sgemm-inputs.onnx', 'sgemm-constant-b.onnx']) {
        expect(Buffer.compare(await readFile(join(work, name)), await readFile(join(SGEMM_FIXTURES_DIR, name))), name).toBe(0);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
