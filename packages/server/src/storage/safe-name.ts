/**
 * File names a client sends are never trusted: only the last path segment is kept, and only
 * letters, digits, `.`, `-`, `_` and spaces survive (as Gradio's upload storage does).
 * @module
 */
import { randomBytes } from 'node:crypto';

/** Longest file name a client may send, in characters. */
export const MAX_FILENAME_LENGTH = 255;

/**
 * A safe base name for a stored upload: the last segment of `name` (either slash), other
 * characters replaced by `_`, no leading dots; `tmp<hex>` when nothing is left.
 * @param name the client's file name (may be a path, empty or missing)
 */
export function safeBaseName(name: string | undefined): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = last
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._\- ]/gu, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  return cleaned === '' ? `tmp${randomBytes(6).toString('hex')}` : cleaned;
}
