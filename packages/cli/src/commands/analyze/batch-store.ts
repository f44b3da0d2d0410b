/**
 * Where a batch's results go: `results.jsonl` (one record per analyzed file), `errors.jsonl` (one
 * per failed file) and, when asked, `results.csv`. Each record is one whole line written with one
 * append, in order, so the files stay valid whatever happens; a line torn by a crash is cut off
 * when the store is opened again. `--resume` skips the files whose key (content hash + the options
 * that change results) already has a record.
 * @module
 */
import { appendFile, mkdir, open, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Result } from '@e2v/engine';
import { csvLine } from '@e2v/plugins';

/** A successful file's record (a line of results.jsonl). */
export interface ResultRecord {
  file: string;
  sha256: string;
  /** sha256 + granularity + embedding + model: what `--resume` matches. */
  key: string;
  result: Result;
  /** The per-file outputs folder, when `--save-outputs`. */
  output_dir: string | null;
  /** `embeddings/<sha256>.npy`, when `--embedding`. */
  embedding_npy?: string;
}

/** A failed file's record (a line of errors.jsonl). */
export interface ErrorRecord {
  file: string;
  sha256: string | null;
  error: { code: string; message: string };
}

/** File names inside the `--out` folder. */
export const BATCH_FILES = { results: 'results.jsonl', errors: 'errors.jsonl', csv: 'results.csv', outputs: 'outputs' } as const;

/** Cuts a last line without its newline (a write torn by a crash) and returns the whole lines. */
async function wholeLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) await truncate(path, Buffer.byteLength(text.slice(0, end)));
  return text.slice(0, end).split('\n').filter((line) => line !== '');
}

/** The `--out` folder of a batch. */
export class BatchStore {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly csvLabels: readonly string[] | null,
    /** Keys already done (from earlier runs). */
    readonly doneKeys: ReadonlySet<string>,
  ) {}

  /**
   * Opens (creates) the folder.
   * @param dir the `--out` folder
   * @param csvLabels the label keys for CSV columns, or null for no CSV
   */
  static async open(dir: string, csvLabels: readonly string[] | null): Promise<BatchStore> {
    await mkdir(dir, { recursive: true });
    const keys = new Set<string>();
    for (const line of await wholeLines(join(dir, BATCH_FILES.results))) {
      try {
        keys.add((JSON.parse(line) as ResultRecord).key);
      } catch {
        // a foreign line: ignored, never rewritten
      }
    }
    await wholeLines(join(dir, BATCH_FILES.errors));
    if (csvLabels !== null) {
      await wholeLines(join(dir, BATCH_FILES.csv));
      const handle = await open(join(dir, BATCH_FILES.csv), 'a');
      const { size } = await handle.stat();
      if (size === 0) await handle.write(`${csvLine(['file', 'sha256', 'emotion', 'confidence', ...csvLabels, 'duration_s', 'granularity', 'timestamp'])}\n`);
      await handle.close();
    }
    return new BatchStore(dir, csvLabels, keys);
  }

  /** Folder for per-file outputs folders. */
  get outputsDir(): string {
    return join(this.dir, BATCH_FILES.outputs);
  }

  /** Appends a success (JSONL, and CSV when enabled). */
  addResult(record: ResultRecord): Promise<void> {
    return this.serial(async () => {
      await appendFile(join(this.dir, BATCH_FILES.results), `${JSON.stringify(record)}\n`);
      if (this.csvLabels === null) return;
      const r = record.result;
      const row = [record.file, record.sha256, r.emotion, r.confidence, ...this.csvLabels.map((l) => r.scores[l] ?? 0), r.audio.duration_s, r.granularity, r.timestamp];
      await appendFile(join(this.dir, BATCH_FILES.csv), `${csvLine(row)}\n`);
    });
  }

  /** Appends a failure. */
  addError(record: ErrorRecord): Promise<void> {
    return this.serial(() => appendFile(join(this.dir, BATCH_FILES.errors), `${JSON.stringify(record)}\n`));
  }

  /** Waits for every pending write. */
  flush(): Promise<void> {
    return this.serial(async () => undefined);
  }

  /** Runs writes one after another, in call order. */
  private serial(write: () => Promise<void>): Promise<void> {
    const next = this.chain.then(write);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
