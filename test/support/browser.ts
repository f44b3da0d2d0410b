/**
 * Headless Chromium for the browser tests: the system's Debian build driven by playwright-core
 * (no browser download), plus page probes the tests share.
 * @module
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The Debian chromium package's executable. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline, deterministic headless run as root in a container. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** A microphone that plays Chromium's test tone, granted without a prompt. */
const FAKE_MICROPHONE_ARGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/**
 * Starts headless Chromium.
 * @param options.fakeMicrophone give pages a fake microphone (a beeping test tone) without asking
 * @returns the browser; close it when done
 */
export async function launchBrowser(options: { fakeMicrophone?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`No browser at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install -y chromium)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...(options.fakeMicrophone ? FAKE_MICROPHONE_ARGS : [])] });
}

/**
 * Collects what the page reports as errors: console errors and uncaught exceptions.
 * @returns a live list that grows as errors come
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

/** How much of a canvas is drawn on. */
export interface CanvasInk {
  /** Share of the pixels that are not fully transparent (0..1). */
  painted: number;
  /** Number of distinct opaque colors. */
  colors: number;
}

/** The part of a browser canvas {@link canvasInk} reads (the tests compile without the DOM types). */
interface PixelSource {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/**
 * Reads back a canvas's pixels and measures how much of it is drawn on.
 * @param selector CSS selector of a `<canvas>`
 */
export function canvasInk(page: Page, selector: string): Promise<CanvasInk> {
  return page.$eval(selector, (element) => {
    const canvas = element as unknown as PixelSource;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const colors = new Set<number>();
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! === 0) continue;
      painted++;
      if (data[i + 3]! === 255) colors.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    }
    return { painted: painted / (canvas.width * canvas.height), colors: colors.size };
  });
}
