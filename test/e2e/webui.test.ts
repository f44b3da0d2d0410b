import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWavPcm16 } from '@e2v/engine';
import { startServer, type RunningServer } from '@e2v/server';
import { testModelDir } from '@e2v/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasInk, collectPageErrors, launchBrowser } from '../support/browser.js';
import { GUIDE_NAMES } from '../support/guide-names.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const screenshotDir = join(repoRoot, 'test-output');
const speechWav = fileURLToPath(new URL('../fixtures/emotion2vec/inputs/speech_16k_mono.wav', import.meta.url));

/** The selector of an element by its `data-testid`. */
const id = (testId: string): string => `[data-testid="${testId}"]`;

/** A server on a loopback port with its data and outputs in a fresh temporary folder. */
async function startTestServer(modelDir: string | undefined): Promise<{ server: RunningServer; tmp: string }> {
  const tmp = await mkdtemp(join(tmpdir(), 'e2v-webui-'));
  const server = await startServer({
    modelDir,
    port: 0,
    host: '127.0.0.1',
    dataDir: join(tmp, 'data'),
    outputsDir: join(tmp, 'outputs'),
    modelsDir: join(tmp, 'models'),
    logger: false,
  });
  return { server, tmp };
}

/** A fresh English page at the server's root, with the page's errors collected. */
async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors = collectPageErrors(page);
  await page.goto(url);
  return { page, errors };
}

/** What the page asked the REST API, and its answer. */
interface Exchange {
  query: URLSearchParams;
  body: Record<string, any>;
}

/** Presses Start and waits for the analysis to end (the click itself sets the busy state). */
async function analyzeAndWait(page: Page, outcome: 'done' | 'error'): Promise<Exchange> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/analyze'),
    page.click(`${id('start-button')}:not([disabled])`),
  ]);
  await page.waitForSelector(`${id('result')}[data-status="${outcome}"]`, { state: 'attached' });
  return { query: new URL(response.url()).searchParams, body: (await response.json()) as Record<string, any> };
}

/** A mono 16 kHz WAV of a tone, `seconds` long. */
function toneWav(seconds: number): Buffer {
  return Buffer.from(
    encodeWavPcm16(
      new Float32Array(Math.round(16000 * seconds)).map((_, i) => 0.3 * Math.sin(i / 7)),
      16000,
    ),
  );
}

/** The score list as the original WebUI's guide prints it: `angry: 0.786`, model order. */
function guideScoreLines(scores: Record<string, number>): string[] {
  return Object.entries(scores).map(([key, score]) => `${key}: ${score.toFixed(3)}`);
}

/** Clicks a download link and reads the downloaded file. */
async function download(page: Page, testId: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(id(testId))]);
  return readFile((await file.path())!);
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser({ fakeMicrophone: true });
  await mkdir(screenshotDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

describe('the web UI with a model loaded', () => {
  let server: RunningServer;
  let tmp: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  /** The loaded model's labels as the API gives them. */
  let labels: { key: string; zh: string; en: string; emoji: string }[];
  /** The label of a key. */
  const label = (key: string | null) => labels.find((l) => l.key === key)!;

  beforeAll(async () => {
    ({ server, tmp } = await startTestServer(testModelDir('tiny-a')));
    labels = ((await (await fetch(`${server.url}/api/v1/models`)).json()) as { loaded: { labels: typeof labels } }).loaded.labels;
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    ({ page, errors } = await openPage(context, server.url));
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('should show the page with no model banner and nothing to analyze yet', async () => {
    await page.waitForSelector('body[data-server="ready"]', { state: 'attached' });
    expect(await page.textContent('h1')).toBe('e2v — speech emotion recognition');
    expect(await page.isHidden(id('not-ready-banner'))).toBe(true);
    expect(await page.isDisabled(id('start-button'))).toBe(true);
    expect(labels.map((l) => [l.key, l.zh, l.en])).toEqual(GUIDE_NAMES);
  });

  it('should analyze the example audio at utterance granularity', async () => {
    await page.click(id('example-button'));
    await page.waitForSelector(`${id('audio-name')}:has-text("example.wav")`);
    expect(await page.getAttribute(id('audio-preview'), 'src')).toMatch(/^blob:/);
    expect(await page.isChecked(id('granularity-utterance'))).toBe(true);
    expect(await page.isDisabled(id('window-input'))).toBe(true);

    const { body } = await analyzeAndWait(page, 'done');
    expect(await page.isVisible(id('main-emotion'))).toBe(true);
    const bars = page.locator(id('score-bar'));
    expect(await bars.count()).toBe(9);
    expect(await bars.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-label')))).toEqual(labels.map((l) => l.key));
    // The big main emotion is the highest bar: `😠 Angry`, `confidence 78.6%` in English.
    const top = await page.getAttribute(`${id('score-bar')}.top`, 'data-label');
    expect(top).toBe(body.emotion);
    expect(await page.textContent(id('main-label'))).toBe(label(top).en);
    expect(await page.textContent(id('main-emoji'))).toBe(label(top).emoji);
    expect(await page.textContent(id('main-confidence'))).toBe(`confidence ${(body.confidence * 100).toFixed(1)}%`);
    expect(await page.isHidden(id('notices'))).toBe(true);
    expect(await page.isHidden(id('timeline-canvas'))).toBe(true);
    expect(await page.isVisible(id('download-result'))).toBe(true);
    expect(await page.isHidden(id('download-embedding'))).toBe(true);
  });

  it("should give the chart a text alternative and a log with the guide's score list", async () => {
    const { body } = await analyzeAndWait(page, 'done');
    const lines = guideScoreLines(body.scores);
    expect(lines[0]).toMatch(/^angry: \d\.\d{3}$/);
    // the list is the chart's accessible description, and text in the page
    expect(await page.getAttribute(id('score-chart'), 'aria-describedby')).toBe('score-list');
    expect(await page.locator(`${id('score-list')} li`).allTextContents()).toEqual(lines);
    await page.click('.score-details summary');
    expect(await page.isVisible(id('score-list'))).toBe(true);
    const log = (await page.textContent(id('log')))!.split('\n');
    expect(log.slice(log.indexOf('scores:') + 1, log.indexOf('scores:') + 10).map((line) => line.trim())).toEqual(lines);
  });

  it('should keep the granularity and embedding the user chose when loading the example', async () => {
    await page.setInputFiles(id('file-input'), speechWav);
    await page.waitForSelector(`${id('audio-name')}:has-text("speech_16k_mono.wav")`);
    await page.check(id('granularity-frame'));
    await page.check(id('embedding-checkbox'));
    await page.click(id('example-button'));
    await page.waitForSelector(`${id('audio-name')}:has-text("example.wav")`);
    expect(await page.isChecked(id('granularity-frame'))).toBe(true);
    expect(await page.isChecked(id('embedding-checkbox'))).toBe(true);
    expect(await page.isEnabled(id('window-input'))).toBe(true);
  });

  it('should analyze frame by frame with an embedding and draw the timeline above the spectrogram', async () => {
    const { query, body } = await analyzeAndWait(page, 'done');

    const timeline = await page.locator(id('timeline-canvas')).boundingBox();
    const spectrogram = await page.locator(id('spectrogram-canvas')).boundingBox();
    expect(timeline!.y + timeline!.height).toBeLessThanOrEqual(spectrogram!.y);
    // Stacked scores fill the timeline's plot area; the spectrogram is an image of many shades.
    // Axes and labels alone paint well under a tenth of a canvas.
    const timelineInk = await canvasInk(page, id('timeline-canvas'));
    expect(timelineInk.painted).toBeGreaterThan(0.5);
    const spectrogramInk = await canvasInk(page, id('spectrogram-canvas'));
    expect(spectrogramInk.painted).toBeGreaterThan(0.5);
    expect(spectrogramInk.colors).toBeGreaterThan(32);
    expect(await page.locator(`${id('timeline-legend')} li`).count()).toBe(9);
    expect(body.frames.window_s).toBe(1);
    // The (T', D) frame embedding stays on the server: its shape and a link, not ~1 MB/s of JSON.
    expect(query.get('inline_embedding')).toBe('false');
    expect(body.embedding).toBeNull();
    expect(body.warnings).toEqual([]);
    expect(await page.textContent(id('embedding-info'))).toBe(`Embedding shape: (${body.frames.start_s.length}, 32)`);
    expect(await page.isVisible(id('download-embedding'))).toBe(true);

    await page.screenshot({ path: join(screenshotDir, 'webui.png'), fullPage: true });
  });

  it('should switch labels and page text to Chinese and back', async () => {
    const top = (await page.getAttribute(`${id('score-bar')}.top`, 'data-label'))!;
    const confidence = (await page.textContent(id('main-confidence')))!.replace('confidence ', '');
    await page.click(id('lang-toggle'));
    expect(await page.textContent('h1')).toBe('e2v — 语音情感识别');
    // the controls the guide tells its readers to click, as it names them
    expect((await page.textContent(id('start-button')))?.trim()).toBe('开始识别');
    expect((await page.textContent(id('example-button')))?.trim()).toBe('加载示例音频');
    expect((await page.textContent('label.checkbox [data-i18n="embedding"]'))?.trim()).toBe('提取 Embedding 特征');
    // the guide's main line: `😠 愤怒 (Angry)`, `置信度: 78.6%`
    expect(await page.textContent(id('main-label'))).toBe(`${label(top).zh} (${label(top).en})`);
    expect(await page.locator(id('main-emotion')).innerText()).toMatch(new RegExp(`^${label(top).emoji}\\s+${label(top).zh} \\(${label(top).en}\\)`));
    expect(await page.textContent(id('main-confidence'))).toBe(`置信度: ${confidence}`);
    const names = await page.locator(`${id('score-bar')} .bar-name`).allTextContents();
    expect(names).toEqual(labels.map((l) => `${l.emoji} ${l.zh}`));
    expect(names.join(' ')).toMatch(/愤怒.*快乐.*中性.*悲伤.*惊讶/);
    expect(names.join(' ')).not.toMatch(/生气|开心|中立|难过|吃惊/);
    expect(await page.textContent(id('embedding-info'))).toMatch(/^Embedding 形状：\(\d+, 32\)$/);

    await page.click(id('lang-toggle'));
    expect(await page.textContent('h1')).toBe('e2v — speech emotion recognition');
    expect(await page.textContent(id('main-label'))).toBe(label(top).en);
  });

  it('should download result.json and embedding.npy of the last analysis', async () => {
    const top = await page.getAttribute(`${id('score-bar')}.top`, 'data-label');
    const result = JSON.parse((await download(page, 'download-result')).toString('utf8')) as { emotion: string; granularity: string };
    expect(result.emotion).toBe(top);
    expect(result.granularity).toBe('frame');
    const npy = await download(page, 'download-embedding');
    expect(npy.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  });

  it('should set the frame smoothing window, 0 for raw scores', async () => {
    await page.fill(id('window-input'), '0');
    const raw = await analyzeAndWait(page, 'done');
    expect(raw.query.get('window_s')).toBe('0');
    expect(raw.body.frames.window_s).toBe(0);
    expect(await page.textContent(id('log'))).toContain('raw per-frame scores');

    await page.fill(id('window-input'), '2.5');
    expect((await analyzeAndWait(page, 'done')).body.frames.window_s).toBe(2.5);
    await page.fill(id('window-input'), '1');
  });

  it('should say, in both languages, that a clip under 1 s is unreliable and that long audio was analysed in segments', async () => {
    await page.check(id('granularity-utterance'));
    await page.uncheck(id('embedding-checkbox'));
    await page.setInputFiles(id('file-input'), { name: 'short.wav', mimeType: 'audio/wav', buffer: toneWav(0.5) });
    await page.waitForSelector(`${id('audio-name')}:has-text("short.wav")`);
    const short = await analyzeAndWait(page, 'done');
    expect(short.body.notices).toEqual([{ code: 'E2V_NOTICE_AUDIO_SHORT', message: expect.any(String) }]);
    expect(await page.isVisible(id('notices'))).toBe(true);
    expect(await page.locator(`${id('notices')} li`).allTextContents()).toEqual([
      'The audio is 0.50 s long, under 1 s: too little context, so the result is unreliable. Clips of 3–10 s work best.',
    ]);
    expect(await page.isHidden(id('error-box'))).toBe(true);
    expect(await page.textContent(id('log'))).toContain(`notice E2V_NOTICE_AUDIO_SHORT: ${short.body.notices[0].message}`);
    await page.click(id('lang-toggle'));
    expect(await page.textContent(`${id('notices')} li`)).toBe('音频时长 0.50 秒，不足 1 秒：缺乏语境，结果不可靠。3–10 秒效果最佳。');
    await page.click(id('lang-toggle'));

    await page.setInputFiles(id('file-input'), { name: 'long.wav', mimeType: 'audio/wav', buffer: toneWav(31) });
    await page.waitForSelector(`${id('audio-name')}:has-text("long.wav")`);
    const long = await analyzeAndWait(page, 'done');
    const count = long.body.segments.length as number;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(long.body.notices).toEqual([{ code: 'E2V_NOTICE_AUDIO_SEGMENTED', message: expect.stringContaining(`${count} segments`) }]);
    expect(await page.textContent(`${id('notices')} li`)).toBe(
      `The audio is 31.00 s long, over 30 s: it was analysed in ${count} segments, and the result is their duration-weighted mean. Clips of 3–10 s work best.`,
    );
    await page.click(id('lang-toggle'));
    expect(await page.textContent(`${id('notices')} li`)).toBe(
      `音频时长 31.00 秒，超过 30 秒：已分 ${count} 段分析，结果为各段按时长加权的平均。3–10 秒效果最佳。`,
    );
    await page.click(id('lang-toggle'));
    expect(await page.textContent(id('log'))).toContain('notice E2V_NOTICE_AUDIO_SEGMENTED');
  });

  it('should analyze a file chosen with the file picker', async () => {
    await page.setInputFiles(id('file-input'), speechWav);
    await page.waitForSelector(`${id('audio-name')}:has-text("speech_16k_mono.wav")`);
    await page.check(id('granularity-utterance'));
    await page.uncheck(id('embedding-checkbox'));
    await analyzeAndWait(page, 'done');
    expect(await page.locator(id('score-bar')).count()).toBe(9);
    expect(await page.isHidden(id('error-box'))).toBe(true);
  });

  it('should take an audio file dropped on the drop zone', async () => {
    // Built in the page (a string: this package compiles without the DOM types).
    const dataTransfer = await page.evaluateHandle(`(async () => {
      const bytes = await (await fetch('/api/v1/examples/0')).arrayBuffer();
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped.wav', { type: 'audio/wav' }));
      return transfer;
    })()`);
    await page.dispatchEvent(id('dropzone'), 'drop', { dataTransfer });
    await page.waitForSelector(`${id('audio-name')}:has-text("dropped.wav")`);
    expect(await page.isEnabled(id('start-button'))).toBe(true);
  });

  it('should record from the microphone with MediaRecorder and analyze the recording', async () => {
    await page.click(id('record-button'));
    await page.waitForSelector(`${id('record-button')}[aria-pressed="true"]`);
    expect(await page.isDisabled(id('start-button'))).toBe(true);
    await page.waitForSelector(`${id('record-time')}:has-text("0:01")`);
    await page.click(id('record-button'));
    await page.waitForSelector(`${id('audio-name')}:has-text("recording.webm")`);
    await analyzeAndWait(page, 'done');
    expect(await page.locator(id('score-bar')).count()).toBe(9);
    expect(await page.textContent(id('log'))).toMatch(/webm/i);
  });

  it('should have run all of the above without a console error or uncaught exception', () => {
    expect(errors).toEqual([]);
  });

  // after the check above: Chromium logs an answer of 400 as a console error
  it("should show the API's refusal of a smoothing window out of range", async () => {
    await page.check(id('granularity-frame'));
    await page.fill(id('window-input'), '-1');
    const refused = await analyzeAndWait(page, 'error');
    expect(refused.body.error.code).toBe('E2V_ERR_HTTP_BAD_PARAM');
    expect(await page.textContent(id('error-message'))).toBe("Parameter 'window_s' must be a number in [0, 3600], got '-1'");
    await page.fill(id('window-input'), '1');
    await page.check(id('granularity-utterance'));
  });

  it("should show the API's error message for a file that is not audio", async () => {
    const notAudio = Buffer.from('this is a text file, not audio\n');
    const form = new FormData();
    form.append('audio', new Blob([notAudio], { type: 'text/plain' }), 'notes.txt');
    const direct = await fetch(`${server.url}/api/v1/analyze?granularity=utterance&embedding=false&save=true&spectrogram=false`, {
      method: 'POST',
      body: form,
    });
    expect(direct.status).toBeGreaterThanOrEqual(400);
    const { error } = (await direct.json()) as { error: { code: string; message: string } };

    await page.setInputFiles(id('file-input'), { name: 'notes.txt', mimeType: 'text/plain', buffer: notAudio });
    await analyzeAndWait(page, 'error');
    expect(await page.isVisible(id('error-box'))).toBe(true);
    expect(error.message).not.toBe('');
    expect(await page.textContent(id('error-message'))).toBe(error.message);
    expect(await page.textContent(id('log'))).toContain(error.code);
    expect(await page.isEnabled(id('start-button'))).toBe(true);
  });
});

describe('the web UI without a model', () => {
  let server: RunningServer;
  let tmp: string;
  let context: BrowserContext;

  beforeAll(async () => {
    ({ server, tmp } = await startTestServer(undefined));
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('should show why and how to install the model, and keep Start disabled', async () => {
    const health = await fetch(`${server.url}/api/v1/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { ready: boolean; reason: string; install_command: string };
    expect(body.ready).toBe(false);

    const { page } = await openPage(context, server.url);
    await page.waitForSelector('body[data-server="not-ready"]', { state: 'attached' });
    expect(await page.isVisible(id('not-ready-banner'))).toBe(true);
    expect(await page.textContent(id('install-command'))).toBe(body.install_command);
    expect(body.install_command).toMatch(/^pnpm e2v model pull \S+$/);
    expect(await page.textContent(id('not-ready-reason'))).toBe(body.reason);

    await page.click(id('example-button'));
    await page.waitForSelector(`${id('audio-name')}:has-text("example.wav")`);
    expect(await page.isDisabled(id('start-button'))).toBe(true);
    await page.screenshot({ path: join(screenshotDir, 'webui-not-ready.png'), fullPage: true });
  });
});
