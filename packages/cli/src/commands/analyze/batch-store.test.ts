import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from '@e2v/engine';
import { describe, expect, it } from 'vitest';
import { BatchStore } from './batch-store.js';

const LABELS = ['angry', 'happy'];

function result(emotion: string): Result {
  return {
    emotion, emotion_zh: '', emoji: '', confidence: 0.9, scores: { angry: emotion === 'angry' ? 0.9 : 0.1, happy: emotion === 'happy' ? 0.9 : 0.1 },
    granularity: 'utterance', frames: null, audio: { duration_s: 1, sample_rate: 16000, channels: 1, format: 'wav' },
    model: { name: 'm', variant: 'fp32' }, timestamp: '2026-12-04T00:00:00.000Z', timings_ms: { decode: 0, resample: 0, inference: 0, total: 0 },
  };
}

describe('BatchStore', () => {
  it('should keep every line whole under many concurrent appends, with one CSV header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-store-'));
    const store = await BatchStore.open(dir, LABELS);
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.addResult({ file: `/in/f "${i}", x.wav`, sha256: `h${i}`, key: `k${i}`, result: result(i % 2 ? 'angry' : 'happy'), output_dir: null })));
    const lines = (await readFile(join(dir, 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { key: string }).key)).size).toBe(200);
    const csv = (await readFile(join(dir, 'results.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('file,sha256,emotion,confidence,angry,happy,duration_s,granularity,timestamp');
    expect(csv).toHaveLength(201);
    expect(csv[1]).toBe('"/in/f ""0"", x.wav",h0,happy,0.9,0.1,0.9,1,utterance,2026-12-04T00:00:00.000Z');
    const again = await BatchStore.open(dir, LABELS);
    expect(again.doneKeys.size).toBe(200);
    expect((await readFile(join(dir, 'results.csv'), 'utf8')).match(/^file,/gm)).toHaveLength(1);
  });

  it('should cut a line torn by a crash and resume from the whole ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2v-store-'));
    const store = await BatchStore.open(dir, null);
    await store.addResult({ file: 'a.wav', sha256: 'a', key: 'ka', result: result('angry'), output_dir: null });
    await appendFile(join(dir, 'results.jsonl'), '{"file":"b.wav","sha256":"b","ke');
    const reopened = await BatchStore.open(dir, null);
    expect([...reopened.doneKeys]).toEqual(['ka']);
    await reopened.addError({ file: 'c.wav', sha256: null, error: { code: 'E2V_ERR_AUDIO_CORRUPT', message: 'bad' } });
    await reopened.addResult({ file: 'b.wav', sha256: 'b', key: 'kb', result: result('happy'), output_dir: null });
    const lines = (await readFile(join(dir, 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(['ka', 'kb']);
    expect(JSON.parse(await readFile(join(dir, 'errors.jsonl'), 'utf8'))).toMatchObject({ file: 'c.wav', error: { code: 'E2V_ERR_AUDIO_CORRUPT' } });
  });
});
