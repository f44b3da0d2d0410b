/**
 * What `e2v analyze`, `cluster` and `similarity` read: files as given, folders recursively (files
 * with the wanted extensions only), and glob
 * patterns (`*`, `?`, `**`, `[...]`), expanded here so they also work where the shell does not
 * expand them. The list is sorted and without duplicates, so a batch is reproducible.
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { FileError, systemCode, UsageError } from '../../errors.js';

/** Extensions picked up from folders and globs. */
export const AUDIO_EXTENSIONS: readonly string[] = ['.wav', '.mp3', '.m4a', '.aac', '.mp4', '.flac', '.ogg', '.oga', '.opus', '.webm'];

const GLOB_CHARS = /[*?[]/;

function hasExtension(name: string, extensions: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext));
}

/** True when `error` says the path (or a folder on it) does not exist. */
function isMissing(error: unknown): boolean {
  const code = systemCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Every file with one of `extensions` under `dir` (recursive, hidden entries skipped). */
async function walk(dir: string, extensions: readonly string[], out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((cause: unknown) => {
    throw new FileError(dir, cause);
  });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, extensions, out);
    else if (entry.isFile() && hasExtension(entry.name, extensions)) out.push(path);
  }
}

/** A glob pattern as a regular expression over absolute paths with `/` separators. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

async function expandGlob(pattern: string, extensions: readonly string[]): Promise<string[]> {
  const absolute = resolve(pattern).split(sep).join('/');
  const firstGlob = absolute.search(GLOB_CHARS);
  const base = absolute.slice(0, absolute.lastIndexOf('/', firstGlob) + 1) || '/';
  const files: string[] = [];
  await walk(base, extensions, files).catch((error: unknown) => {
    if (!isMissing(error)) throw error;
  });
  const regex = globToRegExp(absolute);
  return files.filter((file) => regex.test(file.split(sep).join('/')));
}

/**
 * Expands the command line's inputs into a sorted list of files.
 * @param args files, folders and glob patterns
 * @param extensions what folders and globs pick up (default {@link AUDIO_EXTENSIONS})
 * @throws UsageError when an argument names nothing, or nothing is found at all
 * @throws FileError when a file or folder cannot be read
 */
export async function expandInputs(args: readonly string[], extensions: readonly string[] = AUDIO_EXTENSIONS): Promise<string[]> {
  const found = new Set<string>();
  for (const arg of args) {
    if (GLOB_CHARS.test(arg)) {
      const matches = await expandGlob(arg, extensions);
      if (matches.length === 0) throw new UsageError(`no file matches '${arg}' (extensions: ${extensions.join(' ')})`);
      matches.forEach((m) => found.add(m));
      continue;
    }
    const path = resolve(arg);
    const info = await stat(path).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw new FileError(arg, error);
    });
    if (info === undefined) throw new UsageError(`no such file or folder: ${arg}`);
    if (info.isDirectory()) {
      const files: string[] = [];
      await walk(path, extensions, files);
      files.forEach((f) => found.add(f));
    } else found.add(path);
  }
  if (found.size === 0) throw new UsageError(`no files found in ${args.join(' ')} (extensions: ${extensions.join(' ')})`);
  return [...found].sort();
}
