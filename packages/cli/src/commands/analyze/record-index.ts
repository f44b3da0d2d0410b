/**
 * Which record each input path has in a batch's `--out` folder, so that every path has one:
 * its latest outcome, a line of results.jsonl or of errors.jsonl. Lines a newer one replaced are
 * listed as superseded and dropped when the folder is compacted (BatchStore.close); until then the
 * files stay valid, and loading them again (errors first, then results, the last line of a path
 * winning) gives the same answer, so a result beats an older failure after a crash too.
 * @module
 */
import type { Failure } from './failure.js';

/** The two record files. */
export type RecordFile = 'results' | 'errors';

/** A failed file's record (a line of errors.jsonl). */
export interface ErrorRecord {
  file: string;
  sha256: string | null;
  error: Failure;
}

/** Where a line of results.jsonl is (bytes). */
export interface LineSpan {
  offset: number;
  length: number;
}

/** What the index has for a path and key. */
export type Lookup =
  /** This path already has a result for this key: nothing to do. */
  | { kind: 'done' }
  /** Another path has a result for this key (same bytes, same options): reuse it. */
  | { kind: 'same-content'; span: LineSpan }
  | { kind: 'new' };

type Entry = { file: 'results'; line: number; key: string } | { file: 'errors'; line: number; signature: string };

/** A line's JSON value, or null when it is not JSON (a foreign line). */
export function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/** `ErrorRecord`s that say the same thing. */
function signature(record: ErrorRecord): string {
  return JSON.stringify([record.sha256, record.error.code, record.error.message, record.error.cause ?? null]);
}

/** The in-memory index of a `--out` folder's records. */
export class RecordIndex {
  private readonly byPath = new Map<string, Entry>();
  private readonly byKey = new Map<string, LineSpan>();
  private readonly lines: Record<RecordFile, number> = { results: 0, errors: 0 };
  private resultsBytes = 0;
  /** Line numbers (0-based, whole lines) a newer record replaced. */
  readonly superseded: Readonly<Record<RecordFile, Set<number>>> = { results: new Set(), errors: new Set() };

  /**
   * Indexes the whole lines of a file; call for errors.jsonl first, then results.jsonl. Lines
   * that are not records (foreign text) are counted and left alone.
   */
  load(file: RecordFile, lines: readonly string[]): void {
    for (const line of lines) {
      const record = parseLine(line);
      const path = (record as { file?: unknown } | null)?.file;
      const key = (record as { key?: unknown } | null)?.key;
      const error = (record as { error?: { code?: unknown } } | null)?.error;
      const bytes = Buffer.byteLength(line) + 1;
      if (typeof path === 'string' && file === 'results' && typeof key === 'string') this.addResult(path, key, bytes);
      else if (typeof path === 'string' && file === 'errors' && typeof error?.code === 'string') this.addError(record as ErrorRecord);
      else this.skipForeign(file, bytes);
    }
  }

  /** What `path` with content and options `key` needs. */
  lookup(path: string, key: string): Lookup {
    const entry = this.byPath.get(path);
    if (entry?.file === 'results' && entry.key === key) return { kind: 'done' };
    const span = this.byKey.get(key);
    return span === undefined ? { kind: 'new' } : { kind: 'same-content', span };
  }

  /** True when `record` says what the path's record already says (a retry that failed the same way). */
  hasError(record: ErrorRecord): boolean {
    const entry = this.byPath.get(record.file);
    return entry?.file === 'errors' && entry.signature === signature(record);
  }

  /** Notes a result line of `bytes` bytes (newline included) appended to results.jsonl. */
  addResult(path: string, key: string, bytes: number): void {
    this.byKey.set(key, { offset: this.resultsBytes, length: bytes - 1 });
    this.resultsBytes += bytes;
    this.replace(path, { file: 'results', line: this.lines.results++, key });
  }

  /** Notes a line appended to errors.jsonl. */
  addError(record: ErrorRecord): void {
    this.replace(record.file, { file: 'errors', line: this.lines.errors++, signature: signature(record) });
  }

  /** True when a file holds lines to drop. */
  isStale(file: RecordFile): boolean {
    return this.superseded[file].size > 0;
  }

  private skipForeign(file: RecordFile, bytes: number): void {
    this.lines[file] += 1;
    if (file === 'results') this.resultsBytes += bytes;
  }

  private replace(path: string, entry: Entry): void {
    const previous = this.byPath.get(path);
    if (previous !== undefined) this.superseded[previous.file].add(previous.line);
    this.byPath.set(path, entry);
  }
}
