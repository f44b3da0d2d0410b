/**
 * File names a client sends are never trusted: only the last path segment is kept, and only
 * letters, digits, `.`, `-`, `_` and spaces survive (as Gradio's upload storage does). A name
 * longer than the file system allows (255 bytes in UTF-8) is shortened at a character boundary,
 * keeping its extension.
 * @module
 */
import { randomBytes } from 'node:crypto';

/** Longest file name a client may send, in characters. */
export const MAX_FILENAME_LENGTH = 255;

/** Longest stored file name in UTF-8 bytes (NAME_MAX of Linux and macOS file systems). */
export const MAX_NAME_BYTES = 255;

/** Longest extension (with its dot) kept when a name is shortened, in UTF-8 bytes. */
const MAX_EXTENSION_BYTES = 16;

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * `name` cut to at most `maxBytes` UTF-8 bytes: the end of the stem goes (whole characters
 * only), the extension stays when it is short.
 */
function fitBytes(name: string, maxBytes: number): string {
  if (utf8Length(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && utf8Length(name.slice(dot)) <= MAX_EXTENSION_BYTES ? name.slice(dot) : '';
  let budget = maxBytes - utf8Length(extension);
  let stem = '';
  for (const character of name.slice(0, name.length - extension.length)) {
    budget -= utf8Length(character);
    if (budget < 0) break;
    stem += character;
  }
  return `${stem.trimEnd()}${extension}`;
}

/**
 * A safe base name for a stored upload: the last segment of `name` (either slash), other
 * characters replaced by `_`, no leading dots, at most {@link MAX_NAME_BYTES} UTF-8 bytes
 * (extension kept); `tmp<hex>` when nothing is left.
 * @param name the client's file name (may be a path, empty or missing)
 */
export function safeBaseName(name: string | undefined): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = last
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._\- ]/gu, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  return cleaned === '' ? `tmp${randomBytes(6).toString('hex')}` : fitBytes(cleaned, MAX_NAME_BYTES);
}
