import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testModelDir } from '@e2v/testkit';
import { describe, expect, it } from 'vitest';
import { modelIdentity, queueName } from './model-identity.js';

describe('modelIdentity', () => {
  it('should be the same for two folders of one checkpoint and differ for another model or variant', async () => {
    const a = await modelIdentity(testModelDir('tiny-a'), 'auto');
    expect(a).toMatchObject({ name: expect.any(String), variant: 'fp32' });
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect((await modelIdentity(testModelDir('tiny-a-int8'), 'fp32')).id).toBe(a.id);
    expect((await modelIdentity(testModelDir('tiny-a-int8'), 'int8')).id).not.toBe(a.id);
    expect((await modelIdentity(testModelDir('tiny-b-5class'), 'auto')).id).not.toBe(a.id);
    expect(queueName(a)).toBe(`analyze-${a.id}`);
  });

  it('should refuse a model.json without source.sha256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-identity-'));
    await cp(testModelDir('tiny-a'), dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    delete manifest['source'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
    await expect(modelIdentity(dir, 'auto')).rejects.toMatchObject({ code: 'E2V_ERR_QUEUE_MODEL' });
  });
});
