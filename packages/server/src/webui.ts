/**
 * The web page (`/`) and its static files (`/static/<path>`), read from the package's `webui/`
 * folder: only a few file types, only inside that folder, never a directory listing.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { extname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

/** The folder of the page's files. */
export const WEBUI_DIR = fileURLToPath(new URL('../webui/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
};

async function staticFile(relativePath: string): Promise<Response | undefined> {
  const path = resolve(WEBUI_DIR, relativePath);
  const rel = relative(WEBUI_DIR, path);
  const type = TYPES[extname(path).toLowerCase()];
  if (rel === '' || rel.startsWith('..') || rel.split(sep).some((s) => s.startsWith('.')) || type === undefined) return undefined;
  const body = await readFile(path).catch(() => undefined);
  if (body === undefined) return undefined;
  return new Response(body, { headers: { 'Content-Type': type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS } });
}

/** The page routes. */
export function webUiRoutes(): Hono {
  const ui = new Hono();
  ui.get('/', async (c) => (await staticFile('index.html')) ?? c.text('The web UI files are missing from this installation', 500));
  ui.get('/static/*', async (c) => {
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(c.req.url).pathname.slice('/static/'.length));
    } catch {
      return c.notFound();
    }
    return (await staticFile(rel)) ?? c.notFound();
  });
  return ui;
}
