import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { PullProgressEvent } from './events.js';
import { createProgressRenderer, formatBytes } from './progress.js';

/** A writable that records what was written, optionally pretending to be a terminal. */
function fakeStream(tty: boolean, columns = 100): Writable & { text(): string; isTTY?: boolean; columns?: number } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text(): string; isTTY?: boolean; columns?: number };
  s.text = () => chunks.join('');
  if (tty) {
    s.isTTY = true;
    s.columns = columns;
  }
  return s;
}

const GB = 1_945_790_254;
const start: PullProgressEvent = {
  type: 'file-start',
  file: 'model.pt',
  index: 0,
  count: 3,
  url: 'https://hf.example/m/resolve/main/model.pt',
  bytesDone: 0,
  bytesTotal: GB,
};
const progress = (bytesDone: number, bytesPerSecond = 12_300_000, etaSeconds: number | null = 85): PullProgressEvent => ({
  type: 'file-progress',
  file: 'model.pt',
  index: 0,
  count: 3,
  bytesDone,
  bytesTotal: GB,
  bytesPerSecond,
  etaSeconds,
});
const done: PullProgressEvent = { type: 'file-done', file: 'model.pt', index: 0, count: 3, bytes: GB, sha256: 'f'.repeat(64), verified: true, cached: false };

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [12_345, '12.3 kB'],
    [882_100_000, '882 MB'],
    [999_999, '1.00 MB'],
    [GB, '1.95 GB'],
  ])('should format %d bytes as %s', (n, s) => expect(formatBytes(n)).toBe(s));
});

describe('createProgressRenderer on a terminal', () => {
  it('should redraw one bar line with percent, sizes, rate and ETA, then end it with the done line', () => {
    let t = 0;
    const s = fakeStream(true, 100);
    const r = createProgressRenderer(s, { now: () => t });
    r.onProgress(start);
    t = 500;
    r.onProgress(progress(GB / 2));
    t = 520; // too soon: not redrawn
    r.onProgress(progress(GB * 0.6));
    t = 700;
    r.onProgress(progress(GB, 12_300_000, 0));
    r.onProgress(done);
    r.close();
    const out = s.text();
    expect(out).toContain('[1/3] model.pt (1.95 GB)\n');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal escapes are what a progress line writes
    expect(out).toMatch(/\rmodel\.pt\s+\[=+>\s*\]\s+50\.0%\s+973 MB\/1\.95 GB\s+12\.3 MB\/s\s+ETA 1m25s\x1b\[K/);
    expect(out).not.toContain('60.0%');
    expect(out).toMatch(/\rmodel\.pt\s+\[=+\]\s+100%/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal escapes are what a progress line writes
    expect(out).toMatch(/\r\x1b\[Kmodel\.pt: done, 1\.95 GB, sha256 verified\n$/);
    // every bar fits the terminal width
    for (const frame of out.split('\r')) expect(frame.replace('\x1b[K', '').split('\n')[0]!.length).toBeLessThan(100);
  });

  it('should end a bar left on screen when closed', () => {
    const s = fakeStream(true);
    const r = createProgressRenderer(s, { now: () => 0 });
    r.onProgress(start);
    r.close();
    r.close();
    expect(s.text().endsWith('\x1b[K\n')).toBe(true);
    expect(s.text().match(/\n$/g)).toHaveLength(1);
  });
});

describe('createProgressRenderer on a pipe', () => {
  it('should print plain lines, at most one progress line per interval, and no escape codes', () => {
    let t = 0;
    const s = fakeStream(false);
    const r = createProgressRenderer(s, { now: () => t, intervalMs: 5000 });
    r.onProgress(start);
    for (t = 1000; t <= 12_000; t += 1000) r.onProgress(progress(Math.floor((GB * t) / 20_000)));
    r.onProgress({ type: 'file-retry', file: 'model.pt', attempt: 2, delayMs: 2000, reason: 'HTTP 503' });
    r.onProgress(progress(GB, 1, 0));
    r.onProgress(done);
    r.onProgress({ type: 'file-done', file: 'tokens.txt', index: 2, count: 3, bytes: 119, sha256: 'a'.repeat(64), verified: false, cached: true });
    r.onProgress({ type: 'convert-start', fromDir: '/c/m', outDir: '/models/m' });
    r.onProgress({ type: 'convert-done', outDir: '/models/m', elapsedMs: 12_300 });
    r.close();
    const lines = s.text().split('\n');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal escapes are what a progress line writes
    expect(s.text()).not.toMatch(/[\r\x1b]/);
    expect(lines[0]).toBe('[1/3] model.pt: downloading (1.95 GB) from https://hf.example/m/resolve/main/model.pt');
    const progressLines = lines.filter((l) => /^model\.pt: \d/.test(l));
    expect(progressLines).toEqual(['model.pt: 25.0% (486 MB of 1.95 GB), 12.3 MB/s, ETA 1m25s', 'model.pt: 50.0% (973 MB of 1.95 GB), 12.3 MB/s, ETA 1m25s']);
    expect(lines).toContain('model.pt: HTTP 503; retrying in 2s (attempt 2)');
    expect(lines).toContain('model.pt: done, 1.95 GB, sha256 verified');
    expect(lines).toContain('[3/3] tokens.txt: already downloaded (119 B, not verified (the hub publishes no sha256 for it))');
    expect(lines).toContain('Converting /c/m -> /models/m');
    expect(lines).toContain('Converted in 12s: /models/m');
  });

  it('should say where a download resumes and cope with an unknown total', () => {
    const s = fakeStream(false);
    let t = 10_000;
    const r = createProgressRenderer(s, { now: () => (t += 1000), intervalMs: 1000 });
    r.onProgress({ ...start, bytesDone: 300_000_000, bytesTotal: null } as PullProgressEvent);
    r.onProgress({ ...(progress(400_000_000) as object), bytesTotal: null, etaSeconds: null } as PullProgressEvent);
    expect(s.text()).toBe('[1/3] model.pt: downloading from https://hf.example/m/resolve/main/model.pt, resuming at 300 MB\nmodel.pt: 400 MB, 12.3 MB/s\n');
  });

  it('should pick the mode from the stream when isTTY is not given', () => {
    const tty = fakeStream(true);
    createProgressRenderer(tty, { now: () => 0 }).onProgress(start);
    expect(tty.text()).toContain('\r');
    const pipe = fakeStream(false);
    createProgressRenderer(pipe, { now: () => 0 }).onProgress(start);
    expect(pipe.text()).not.toContain('\r');
  });
});
