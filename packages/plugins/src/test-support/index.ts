/**
 * Test helpers (not built): Result fixtures, a recording logger, temporary folders, a loopback
 * HTTP receiver.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from '@e2v/core';
import type { LogFields, Logger } from '@e2v/engine';

/** emotion2vec+ labels in model order. */
export const LABELS = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'other', 'sad', 'surprised', 'unknown'];

/**
 * A Result whose top label is `emotion` with `confidence`; the rest shared evenly.
 * @param emotion top label
 * @param confidence its score
 * @param overrides fields to replace
 */
export function makeResult(emotion = 'angry', confidence = 0.8, overrides: Partial<Result> = {}): Result {
  const rest = (1 - confidence) / (LABELS.length - 1);
  return {
    emotion,
    emotion_zh: '愤怒',
    emoji: '😠',
    confidence,
    scores: Object.fromEntries(LABELS.map((l) => [l, l === emotion ? confidence : rest])),
    granularity: 'utterance',
    frames: null,
    audio: { duration_s: 2.5, sample_rate: 16000, channels: 1, format: 'wav', warnings: [] },
    model: { name: 'emotion2vec_plus_large', variant: 'fp32' },
    timestamp: '2026-01-01T08:00:00.000+08:00',
    timings_ms: { decode: 1, resample: 1, inference: 1, total: 3 },
    ...overrides,
  };
}

/**
 * A frame Result (50 frames/s) whose frames have `emotion` at `perFrame[i]` and the rest evenly.
 * @param emotion the label the series is about
 * @param perFrame its score in each frame
 */
export function makeFrameResult(emotion: string, perFrame: readonly number[]): Result {
  const index = LABELS.indexOf(emotion);
  const scores = perFrame.map((p) => LABELS.map((_, i) => (i === index ? p : (1 - p) / (LABELS.length - 1))));
  return makeResult('neutral', 0.5, {
    granularity: 'frame',
    frames: { rate: 50, window_s: 1, start_s: perFrame.map((_, i) => i / 50), scores },
    audio: { duration_s: perFrame.length / 50, sample_rate: 16000, channels: 1, format: 'wav', warnings: [] },
  });
}

/** One recorded log line. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: LogFields;
  message: string;
}

/** A logger that records every line (with the bindings of its children) in `lines`. */
export function recordingLogger(lines: LogLine[] = [], bindings: LogFields = {}): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (fields: LogFields, message: string): void => {
      lines.push({ level, fields: { ...bindings, ...fields }, message });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

/**
 * A fresh temporary folder, removed by the returned cleanup.
 * @param prefix folder name prefix
 */
export async function tempDir(prefix = 'e2v-plugins-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A request the receiver got. */
export interface Received {
  body: unknown;
  headers: IncomingMessage['headers'];
}

/** How the receiver answers one request: a status, or `'hang'` (never answer). */
export type Answer = number | 'hang';

/**
 * An HTTP receiver on 127.0.0.1 (port 0). Answers requests with `answers` in turn, then 200;
 * records the bodies of the requests it answered with 2xx in `delivered`, all in `received`.
 */
export async function startReceiver(
  answers: Answer[] = [],
): Promise<{ url: string; received: Received[]; delivered: Received[]; answers: Answer[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const delivered: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, headers: req.headers };
      received.push(got);
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') return;
      if (answer < 300) delivered.push(got);
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    received,
    delivered,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Polls `check` every 5 ms until it returns true, or fails after `timeoutMs`.
 * @param check the condition
 * @param timeoutMs the longest wait
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
