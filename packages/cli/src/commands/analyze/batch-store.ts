/**
 * Where a batch's records go: `results.jsonl` (files analyzed), `errors.jsonl` (files that
 * failed), when asked `results.csv` and `embeddings/<sha256>.npy`, with one record per input path: its latest outcome
 * (see record-index.ts). A record is appended whole or not at all (append-whole.ts): a write that
 * fails, on a full disk say, is cut back, so the files stay valid whatever happens; a line torn by
 * a crash is cut off when the store is opened again. Any failure to write the folder is an
 * {@link OutputError}, which stops the batch.
 * @module
 */
import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { csvLine, writeFileAtomic, type Result } from '@e2v/core';
import { OutputError } from '../../errors.js';
import { appendWhole, type Append } from './append-whole.js';
import { parseLine, RecordIndex, type ErrorRecord, type RecordFile } from './record-index.js';

export type { ErrorRecord } from './record-index.js';

/** A successful file's record (a line of results.jsonl). */
export interface ResultRecord {
  file: string;
  sha256: string;
  /** sha256 + granularity (with the frame window) + embedding + model: what `--resume` matches. */
  key: string;
  result: Result;
  /** The per-file outputs folder, when `--save-outputs`. */
  output_dir: string | null;
  /** `embeddings/<sha256>.npy`, when `--embedding`. */
  embedding_npy?: string;
}

/** What a file of the batch needs (see {@link BatchStore.lookup}). */
export type StoreLookup = { kind: 'done' } | { kind: 'same-content'; record: ResultRecord } | { kind: 'new' };

/** File names inside the `--out` folder. */
export const BATCH_FILES = { results: 'results.jsonl', errors: 'errors.jsonl', csv: 'results.csv', outputs: 'outputs', embeddings: 'embeddings' } as const;

/** Cuts a last line without its newline (a write torn by a crash) and returns the whole lines. */
async function wholeLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) await truncate(path, Buffer.byteLength(text.slice(0, end)));
  return text.slice(0, end).split('\n').slice(0, -1);
}

/** The header line of results.csv. */
function csvHeader(labels: readonly string[]): string {
  return csvLine(['file', 'sha256', 'emotion', 'confidence', ...labels, 'duration_s', 'granularity', 'timestamp']);
}

/** A record's line of results.csv. */
function csvRow(record: ResultRecord, labels: readonly string[]): string {
  const r = record.result;
  return csvLine([record.file, record.sha256, r.emotion, r.confidence, ...labels.map((l) => r.scores[l] ?? 0), r.audio.duration_s, r.granularity, r.timestamp]);
}

/** results.csv for the records among results.jsonl's lines (foreign lines have no row). */
function csvFrom(lines: readonly string[], labels: readonly string[]): string {
  const rows = [csvHeader(labels)];
  for (const line of lines) {
    const record = parseLine(line) as Partial<ResultRecord> | null;
    if (typeof record?.file === 'string' && typeof record.result?.emotion === 'string') rows.push(csvRow(record as ResultRecord, labels));
  }
  return `${rows.join('\n')}\n`;
}

/** The `--out` folder of a batch. */
export class BatchStore {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly csvLabels: readonly string[] | null,
    private readonly index: RecordIndex,
  ) {}

  /**
   * Opens (creates) the folder.
   * @param dir the `--out` folder
   * @param csvLabels the label keys for CSV columns, or null for no CSV
   * @throws OutputError when the folder cannot be created, read or repaired
   */
  static async open(dir: string, csvLabels: readonly string[] | null): Promise<BatchStore> {
    const store = new BatchStore(dir, csvLabels, new RecordIndex());
    await store.guard(`opening ${dir}`, async () => {
      await mkdir(dir, { recursive: true });
      store.index.load('errors', await wholeLines(store.path('errors')));
      store.index.load('results', await wholeLines(store.path('results')));
      if (csvLabels === null) return;
      await wholeLines(store.path('csv'));
      const handle = await open(store.path('csv'), 'a');
      try {
        if ((await handle.stat()).size === 0) await handle.write(`${csvHeader(csvLabels)}\n`);
      } finally {
        await handle.close();
      }
    });
    return store;
  }

  /** Folder for per-file outputs folders. */
  get outputsDir(): string {
    return join(this.dir, BATCH_FILES.outputs);
  }

  /**
   * What `file` with content and options `key` needs: nothing (`done`), a record of its own with
   * the result of another path of the same content (`same-content`), or an analysis (`new`).
   * @throws OutputError when results.jsonl cannot be read
   */
  async lookup(file: string, key: string): Promise<StoreLookup> {
    const found = this.index.lookup(file, key);
    if (found.kind !== 'same-content') return found;
    const { offset, length } = found.span;
    const line = await this.guard(`reading ${BATCH_FILES.results}`, async () => {
      const handle = await open(this.path('results'), 'r');
      try {
        const { buffer } = await handle.read(Buffer.alloc(length), 0, length, offset);
        return buffer.toString('utf8');
      } finally {
        await handle.close();
      }
    });
    return { kind: 'same-content', record: JSON.parse(line) as ResultRecord };
  }

  /**
   * Appends a success (JSONL, and CSV when enabled), replacing the path's earlier record.
   * @throws OutputError when it cannot be written (nothing of it is left)
   */
  addResult(record: ResultRecord): Promise<void> {
    return this.serial(async () => {
      const line = `${JSON.stringify(record)}\n`;
      const appends: Append[] = [{ path: this.path('results'), text: line }];
      if (this.csvLabels !== null) appends.push({ path: this.path('csv'), text: `${csvRow(record, this.csvLabels)}\n` });
      await this.guard(`writing ${BATCH_FILES.results}`, () => appendWhole(appends));
      this.index.addResult(record.file, record.key, Buffer.byteLength(line));
    });
  }

  /**
   * The path for an embedding, `embeddings/<sha256>.npy`, its folder created: the engine writes
   * it there (a temporary name, then renamed; a frame embedding row by row).
   * @throws OutputError when the folder cannot be created
   */
  async embeddingPath(sha256: string): Promise<string> {
    const dir = join(this.dir, BATCH_FILES.embeddings);
    await this.guard('writing an embedding', () => mkdir(dir, { recursive: true }));
    return join(dir, `${sha256}.npy`);
  }

  /**
   * Appends a failure, replacing the path's earlier record; the same failure again writes nothing.
   * @throws OutputError when it cannot be written (nothing of it is left)
   */
  addError(record: ErrorRecord): Promise<void> {
    return this.serial(async () => {
      if (this.index.hasError(record)) return;
      await this.guard(`writing ${BATCH_FILES.errors}`, () => appendWhole([{ path: this.path('errors'), text: `${JSON.stringify(record)}\n` }]));
      this.index.addError(record);
    });
  }

  /**
   * Waits for every pending write, then drops the records newer ones replaced (each file is
   * rewritten whole: a temporary file renamed over it; with CSV, results.csv is rebuilt from
   * results.jsonl). The store is not used after this.
   * @throws OutputError when a file cannot be rewritten (the old one stays, still valid)
   */
  close(): Promise<void> {
    return this.serial(async () => {
      for (const file of ['errors', 'results'] as const) {
        if (!this.index.isStale(file)) continue;
        await this.guard(`rewriting ${BATCH_FILES[file]}`, async () => {
          const superseded = this.index.superseded[file];
          const kept = (await wholeLines(this.path(file))).filter((_, n) => !superseded.has(n));
          await writeFileAtomic(this.path(file), kept.map((line) => `${line}\n`).join(''));
          if (file === 'results' && this.csvLabels !== null) await writeFileAtomic(this.path('csv'), csvFrom(kept, this.csvLabels));
        });
      }
    });
  }

  private path(file: RecordFile | 'csv'): string {
    return join(this.dir, BATCH_FILES[file]);
  }

  /** Runs `work`, turning its failure into an {@link OutputError}. */
  private async guard<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (cause) {
      throw new OutputError(this.dir, action, cause);
    }
  }

  /** Runs writes one after another, in call order. */
  private serial(write: () => Promise<void>): Promise<void> {
    const next = this.chain.then(write);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
