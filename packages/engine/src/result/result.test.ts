import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testModelDir } from '@e2v/testkit';
import { describe, expect, it } from 'vitest';
import { halfWindowFrames, pooledFrameScores } from './frames.js';
import { labelEmoji, labelEn, labelNames, labelZh } from './labels.js';
import { formatResultJson } from './result-json.js';
import { argmax, softmax } from './scores.js';
import type { Result } from './types.js';

describe('softmax / argmax', () => {
  it('should give -Infinity logits probability 0 and sum to 1', () => {
    const p = softmax([1000, Number.NEGATIVE_INFINITY, 1000 - Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.75, 12);
    expect(p[1]).toBe(0);
    expect(p[2]).toBeCloseTo(0.25, 12);
    expect(argmax(p)).toBe(0);
    expect(Array.from(softmax([5, 1, 2, 3], 1, 2))).toEqual(Array.from(softmax([1, 2])));
  });
});

describe('pooledFrameScores', () => {
  it('should average logits over a centred window clipped at the ends', () => {
    // T=4, C=2: logits of label 0 are 0, 4, 8, 12; label 1 always 0
    const logits = Float32Array.from([0, 0, 4, 0, 8, 0, 12, 0]);
    const rows = pooledFrameScores(logits, 4, 2, 1, []);
    const means = [2, 4, 8, 10]; // (0+4)/2, (0+4+8)/3, (4+8+12)/3, (8+12)/2
    rows.forEach((row, i) => expect(row).toEqual(Array.from(softmax([means[i]!, 0]))));
    expect(pooledFrameScores(logits, 4, 2, 0, [])[1]).toEqual(Array.from(softmax([4, 0])));
    expect(pooledFrameScores(logits, 4, 2, 1, [0]).every((r) => r[0] === 0 && r[1] === 1)).toBe(true);
  });

  it('should give 0 to labels the graph masked at -Infinity in every frame, and pool the others', () => {
    // T=3, C=3: label 1 masked as the graph's frame_logits give it
    const logits = Float32Array.from([1, -Infinity, 0, 3, -Infinity, 0, 5, -Infinity, 0]);
    const rows = pooledFrameScores(logits, 3, 3, 1, [1]);
    const means = [2, 3, 4];
    rows.forEach((row, i) => expect(row).toEqual(Array.from(softmax([means[i]!, Number.NEGATIVE_INFINITY, 0]))));
  });

  it('should size the window from seconds', () => {
    expect(halfWindowFrames(1, 50)).toBe(25);
    expect(halfWindowFrames(0, 50)).toBe(0);
    expect(halfWindowFrames(0.5, 50)).toBe(13);
  });
});

describe('labels', () => {
  const GUIDE = { angry: '愤怒', disgusted: '厌恶', fearful: '恐惧', happy: '快乐', neutral: '中性', other: '其他', sad: '悲伤', surprised: '惊讶', unknown: '未知' };

  it("should name the nine emotion2vec+ keys as the guide does, whatever model.json's zh says", () => {
    for (const [key, zh] of Object.entries(GUIDE)) {
      expect(labelZh(key, '')).toBe(zh);
      expect(labelEn(key)).toBe(key[0]!.toUpperCase() + key.slice(1));
    }
    // an older model.json holds the checkpoint's token words
    expect(labelZh('angry', '生气')).toBe('愤怒');
    expect(labelZh('happy', '开心')).toBe('快乐');
    expect(labelNames('angry', '生气')).toEqual({ zh: '愤怒', en: 'Angry', emoji: '😠' });
  });

  it("should name another key by the model's word, else by the key", () => {
    expect(labelEmoji('angry')).toBe('😠');
    expect(labelEmoji('unuse_0')).toBe('❔');
    expect(labelZh('calm', '平静')).toBe('平静');
    expect(labelZh('unuse_0', '')).toBe('unuse_0');
    expect(labelEn('unuse_0')).toBe('unuse_0');
    expect(labelZh('constructor', '')).toBe('constructor');
  });

  it('should agree with the names the converter writes into model.json, next to the tokens', async () => {
    const manifest = JSON.parse(await readFile(join(testModelDir('tiny-a'), 'model.json'), 'utf8')) as { labels: { key: string; zh: string; token: string }[] };
    expect(manifest.labels.map((l) => l.key)).toEqual(Object.keys(GUIDE));
    for (const label of manifest.labels) expect(label.zh).toBe(labelZh(label.key, ''));
    expect(manifest.labels.map((l) => l.token)).toEqual(['生气/angry', '厌恶/disgusted', '恐惧/fearful', '开心/happy', '中立/neutral', '其他/other', '难过/sad', '吃惊/surprised', '<unk>']);
  });
});

describe('formatResultJson', () => {
  const base = { emotion: 'happy', scores: { happy: 1 }, granularity: 'frame', audio: { duration_s: 1 } } as unknown as Result;

  it('should parse back to the Result, with one line per frame row', () => {
    const result = { ...base, frames: { rate: 50, window_s: 1, start_s: [0, 0.02], scores: [[0.25, 0.75], [1, 0]] }, plugins: { note: { text: '"\u0000e2v-frames\u0000"' } } } as unknown as Result;
    const text = formatResultJson(result);
    expect(JSON.parse(text)).toEqual(result);
    expect(text).toContain('\n    "window_s": 1,\n    "start_s": [0,0.02],\n    "scores": [\n      [0.25,0.75],\n      [1,0]\n    ]\n  },\n');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('should indent a Result without frames, or with no frame rows, like JSON.stringify', () => {
    const utterance = { ...base, frames: null } as unknown as Result;
    expect(formatResultJson(utterance)).toBe(`${JSON.stringify(utterance, null, 2)}\n`);
    const empty = { ...base, frames: { rate: 50, window_s: 0, start_s: [], scores: [] } } as unknown as Result;
    expect(JSON.parse(formatResultJson(empty))).toEqual(empty);
  });
});
