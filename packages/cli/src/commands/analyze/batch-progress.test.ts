import { describe, expect, it } from 'vitest';
import { BatchProgress } from './batch-progress.js';
import { formatSummary } from './summary.js';

describe('BatchProgress', () => {
  it('should print plain lines at most every interval, and always the last one', () => {
    let t = 0;
    const out: string[] = [];
    const progress = new BatchProgress((text) => out.push(text), { isTTY: false, intervalMs: 1000, now: () => t });
    const counts = { done: 0, failed: 0, skipped: 0, total: 4, audioSeconds: 0 };
    progress.update(counts);
    t = 500;
    progress.update({ ...counts, done: 1, audioSeconds: 10 });
    t = 1500;
    progress.update({ ...counts, done: 2, audioSeconds: 20 });
    t = 1600;
    progress.update({ ...counts, done: 3, failed: 1, audioSeconds: 30 });
    expect(out).toEqual([
      'progress: 0/4 0.0%  0.00 files/s  0.0 audio-s/s  ETA --\n',
      'progress: 2/4 50.0%  1.33 files/s  13.3 audio-s/s  ETA 2s\n',
      'progress: 4/4 100.0%  2.50 files/s  18.8 audio-s/s  ETA 0s, 1 failed\n',
    ]);
  });

  it('should redraw a bar in place on a terminal and keep notes above it', () => {
    const out: string[] = [];
    const progress = new BatchProgress((text) => out.push(text), { isTTY: true, columns: 100, now: () => 2000 });
    progress.update({ done: 1, failed: 0, skipped: 1, total: 4, audioSeconds: 5 });
    progress.note('failed: x.wav: E2V_ERR_AUDIO_CORRUPT: bad');
    progress.finish();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal escapes are what a progress line writes
    expect(out[0]).toMatch(/^\r\[#+-+\] 2\/4 50\.0% .*\x1b\[K$/);
    expect(out[1]).toBe('\r\x1b[K');
    expect(out[2]).toBe('failed: x.wav: E2V_ERR_AUDIO_CORRUPT: bad\n');
    expect(out).toHaveLength(3);
  });
});

describe('formatSummary', () => {
  it('should list counts, audio hours, throughput, emotions and failures', () => {
    const text = formatSummary({
      total: 5,
      analyzed: 3,
      skipped: 1,
      reused: 0,
      notDone: 0,
      audioSeconds: 7200,
      elapsedS: 10,
      failed: [{ file: 'bad.wav', code: 'E2V_ERR_AUDIO_CORRUPT', message: 'truncated' }],
      emotions: new Map([
        ['happy', 1],
        ['angry', 2],
      ]),
      plugins: { alert: { delivered: 3, pending: 1 } },
    });
    expect(text).toContain('audio                  2.000 h (7200.0 s)');
    expect(text).toContain('throughput             0.30 files/s, 720.0 audio-s/s');
    expect(text).toContain('plugin alert           delivered 3, pending 1');
    expect(text.indexOf('angry')).toBeLessThan(text.indexOf('happy'));
    expect(text).toContain('failures\n  bad.wav: E2V_ERR_AUDIO_CORRUPT: truncated');
    expect(text).not.toMatch(/reused|not done/);
  });

  it('should count files reused from another of the same content, and files a stopped batch left', () => {
    const text = formatSummary({
      total: 6,
      analyzed: 2,
      skipped: 1,
      reused: 1,
      notDone: 2,
      audioSeconds: 4,
      elapsedS: 1,
      failed: [],
      emotions: new Map(),
      plugins: {},
    });
    expect(text).toContain('\n  reused (same content)     1\n  not done (stopped early)  2\n');
  });
});
