import { appendFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from '@e2v/core';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../errors.js';
import { canMount, fillDisk, Tmpfs } from '../../test-support/tmpfs.js';
import { BatchStore, type ResultRecord } from './batch-store.js';

const LABELS = ['angry', 'happy'];

function result(emotion: string): Result {
  return {
    emotion,
    emotion_zh: '',
    emoji: '',
    confidence: 0.9,
    scores: { angry: emotion === 'angry' ? 0.9 : 0.1, happy: emotion === 'happy' ? 0.9 : 0.1 },
    granularity: 'utterance',
    frames: null,
    audio: { duration_s: 1, sample_rate: 16000, channels: 1, format: 'wav', warnings: [] },
    model: { name: 'm', variant: 'fp32' },
    timestamp: '2026-12-04T08:00:00.000+08:00',
    timings_ms: { decode: 0, resample: 0, inference: 0, total: 0 },
  };
}

function record(file: string, key: string, emotion = 'happy'): ResultRecord {
  return { file, sha256: `sha-${key}`, key, result: result(emotion), output_dir: null };
}

const corrupt = { code: 'E2V_ERR_AUDIO_CORRUPT', message: 'bad' };

async function lines(path: string): Promise<Record<string, any>[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
}

describe('BatchStore', () => {
  it('should keep every line whole under many concurrent appends, with one CSV header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-store-'));
    const store = await BatchStore.open(dir, LABELS);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.addResult({ ...record(`/in/f "${i}", x.wav`, `k${i}`, i % 2 ? 'angry' : 'happy'), sha256: `h${i}` })),
    );
    await store.close();
    const jsonl = await lines(join(dir, 'results.jsonl'));
    expect(jsonl).toHaveLength(200);
    expect(new Set(jsonl.map((l) => l.key)).size).toBe(200);
    const csv = (await readFile(join(dir, 'results.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('file,sha256,emotion,confidence,angry,happy,duration_s,granularity,timestamp');
    expect(csv).toHaveLength(201);
    expect(csv[1]).toBe('"/in/f ""0"", x.wav",h0,happy,0.9,0.1,0.9,1,utterance,2026-12-04T08:00:00.000+08:00');
    const again = await BatchStore.open(dir, LABELS);
    for (let i = 0; i < 200; i++) expect(await again.lookup(`/in/f "${i}", x.wav`, `k${i}`)).toEqual({ kind: 'done' });
    expect((await readFile(join(dir, 'results.csv'), 'utf8')).match(/^file,/gm)).toHaveLength(1);
  });

  it('should cut a line torn by a crash and resume from the whole ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-store-'));
    const store = await BatchStore.open(dir, null);
    await store.addResult(record('a.wav', 'ka'));
    await appendFile(join(dir, 'results.jsonl'), '{"file":"b.wav","sha256":"b","ke');
    const reopened = await BatchStore.open(dir, null);
    expect(await reopened.lookup('a.wav', 'ka')).toEqual({ kind: 'done' });
    expect(await reopened.lookup('b.wav', 'kb')).toEqual({ kind: 'new' });
    await reopened.addError({ file: 'c.wav', sha256: null, error: corrupt });
    await reopened.addResult(record('b.wav', 'kb'));
    await reopened.close();
    expect((await lines(join(dir, 'results.jsonl'))).map((l) => l.key)).toEqual(['ka', 'kb']);
    expect(await lines(join(dir, 'errors.jsonl'))).toMatchObject([{ file: 'c.wav', error: { code: 'E2V_ERR_AUDIO_CORRUPT' } }]);
  });

  it('should keep one record per path: the same failure again writes nothing, a later success replaces it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-store-'));
    const first = await BatchStore.open(dir, LABELS);
    await first.addError({ file: 'c.wav', sha256: 'sc', error: corrupt });
    await first.addError({ file: 'd.wav', sha256: null, error: { code: 'E2V_ERR_CLI_FILE', message: 'cannot read d.wav', cause: 'EACCES' } });
    await first.close();
    const second = await BatchStore.open(dir, LABELS);
    await second.addError({ file: 'c.wav', sha256: 'sc', error: corrupt });
    await second.addError({ file: 'd.wav', sha256: null, error: { code: 'E2V_ERR_CLI_FILE', message: 'cannot read d.wav', cause: 'EACCES' } });
    expect(await lines(join(dir, 'errors.jsonl'))).toHaveLength(2);
    await second.addResult(record('d.wav', 'kd'));
    await second.close();
    expect((await lines(join(dir, 'errors.jsonl'))).map((l) => l.file)).toEqual(['c.wav']);
    expect((await lines(join(dir, 'results.jsonl'))).map((l) => l.file)).toEqual(['d.wav']);
    expect((await readFile(join(dir, 'results.csv'), 'utf8')).trimEnd().split('\n')).toHaveLength(2);
    // a path whose content (or options) changed gets its new outcome, in place of the old one
    const third = await BatchStore.open(dir, LABELS);
    expect(await third.lookup('d.wav', 'kd-changed')).toEqual({ kind: 'new' });
    await third.addResult(record('d.wav', 'kd-changed', 'angry'));
    await third.addError({ file: 'c.wav', sha256: 'sc', error: { code: 'E2V_ERR_AUDIO_TOO_LONG', message: 'over 10 s' } });
    await third.close();
    expect(await lines(join(dir, 'results.jsonl'))).toMatchObject([{ file: 'd.wav', key: 'kd-changed' }]);
    expect(await lines(join(dir, 'errors.jsonl'))).toMatchObject([{ file: 'c.wav', error: { code: 'E2V_ERR_AUDIO_TOO_LONG' } }]);
    expect((await readFile(join(dir, 'results.csv'), 'utf8')).trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^file,/),
      expect.stringMatching(/^d\.wav,sha-kd-changed,angry,/),
    ]);
    expect((await readdir(dir)).sort()).toEqual(['errors.jsonl', 'results.csv', 'results.jsonl']);
  });

  it('should hand a path of the same content the record of the other path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-store-'));
    const store = await BatchStore.open(dir, null);
    await store.addResult(record('first.wav', 'k1'));
    await store.addResult(record('a.wav', 'k2', 'angry'));
    const found = await store.lookup('copy-of-a.wav', 'k2');
    expect(found).toEqual({ kind: 'same-content', record: record('a.wav', 'k2', 'angry') });
    await store.close();
    const reopened = await BatchStore.open(dir, null);
    expect(await reopened.lookup('copy-of-a.wav', 'k2')).toEqual(found);
    expect(await reopened.lookup('a.wav', 'k2')).toEqual({ kind: 'done' });
  });

  it('should mend the records a crash left twice: the last line of a path wins, a result beats a failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-store-'));
    const results = [record('a.wav', 'old'), record('b.wav', 'kb'), record('a.wav', 'new')].map((r) => `${JSON.stringify(r)}\n`);
    await writeFile(join(dir, 'results.jsonl'), `${results.join('')}not json, kept\n`);
    await writeFile(
      join(dir, 'errors.jsonl'),
      [
        { file: 'b.wav', sha256: null, error: corrupt },
        { file: 'c.wav', sha256: null, error: corrupt },
        { file: 'c.wav', sha256: 'sc', error: corrupt },
      ]
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    );
    const store = await BatchStore.open(dir, LABELS);
    expect(await store.lookup('a.wav', 'new')).toEqual({ kind: 'done' });
    expect(await store.lookup('b.wav', 'kb')).toEqual({ kind: 'done' });
    await store.close();
    expect((await readFile(join(dir, 'results.jsonl'), 'utf8')).split('\n').map((l) => l.slice(0, 30))).toEqual([
      results[1]!.slice(0, 30),
      results[2]!.slice(0, 30),
      'not json, kept',
      '',
    ]);
    expect(await lines(join(dir, 'errors.jsonl'))).toEqual([{ file: 'c.wav', sha256: 'sc', error: corrupt }]);
    expect(
      (await readFile(join(dir, 'results.csv'), 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l) => l.split(',')[0]),
    ).toEqual(['file', 'b.wav', 'a.wav']);
  });

  it.skipIf(!canMount)('should refuse a record on a full disk with E2V_ERR_CLI_OUTPUT_FULL, leaving no part of it (tmpfs, root)', async () => {
    const disk = Tmpfs.mount('64k');
    try {
      const store = await BatchStore.open(disk.dir, LABELS);
      await store.addResult(record('a.wav', 'ka'));
      const before = { jsonl: await readFile(join(disk.dir, 'results.jsonl'), 'utf8'), csv: await readFile(join(disk.dir, 'results.csv'), 'utf8') };
      fillDisk(disk.dir);
      const big = { ...record('b.wav', 'kb'), result: { ...result('happy'), emotion_zh: 'x'.repeat(20_000) } };
      const refused = store.addResult(big);
      await expect(refused).rejects.toBeInstanceOf(OutputError);
      await expect(refused).rejects.toMatchObject({
        code: 'E2V_ERR_CLI_OUTPUT_FULL',
        exitCode: 74,
        message: `the disk of ${disk.dir} is full (ENOSPC writing results.jsonl)`,
      });
      expect(await readFile(join(disk.dir, 'results.jsonl'), 'utf8')).toBe(before.jsonl);
      expect(await readFile(join(disk.dir, 'results.csv'), 'utf8')).toBe(before.csv);
      expect(await store.lookup('b.wav', 'kb')).toEqual({ kind: 'new' });
    } finally {
      disk.unmount();
    }
  });
});
