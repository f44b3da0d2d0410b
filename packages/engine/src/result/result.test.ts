import { describe, expect, it } from 'vitest';
import { halfWindowFrames, pooledFrameScores } from './frames.js';
import { formatResultJson } from './result-json.js';
import { argmax, softmax } from './scores.js';
import type { Result } from '@e2v/core';

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

describe('formatResultJson', () => {
  const base = { emotion: 'happy', scores: { happy: 1 }, granularity: 'frame', audio: { duration_s: 1 } } as unknown as Result;

  it('should parse back to the Result, with one line per frame row', () => {
    const result = {
      ...base,
      frames: {
        rate: 50,
        window_s: 1,
        start_s: [0, 0.02],
        scores: [
          [0.25, 0.75],
          [1, 0],
        ],
      },
      plugins: { note: { text: '"\u0000e2v-frames\u0000"' } },
    } as unknown as Result;
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
