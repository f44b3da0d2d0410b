/**
 * The `sink` built-in plugin: appends every result to a JSONL file and/or a CSV file.
 *
 * - JSONL: one line per result, `{"id", "input", "result"}` (`result` with the outputs of the
 *   plugins that ran before the sink).
 * - CSV: a header once, then one row per result: id, file, emotion, confidence, the 9 scores
 *   (`score_<label>` in emotion2vec+ order), duration_s, timestamp.
 *
 * Each record is written with a single `write` on a file opened for appending (O_APPEND), so
 * records of concurrent processes never interleave; within the process writes are serialized.
 * The CSV header is created atomically with the file (`writeFileAtomic` with `exclusive`), so
 * concurrent processes cannot both write it.
 * @module
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { csvLine, writeFileAtomic, type Result } from '@e2v/core';
import { checkBoolean, checkObject, checkString, orDefault } from '../check.js';
import { definePlugin } from '../define.js';

/** Score columns of the CSV: emotion2vec+'s labels in model order. */
export const SINK_CSV_LABELS = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'other', 'sad', 'surprised', 'unknown'] as const;

/** The CSV header columns. */
export const SINK_CSV_COLUMNS = ['id', 'file', 'emotion', 'confidence', ...SINK_CSV_LABELS.map((l) => `score_${l}`), 'duration_s', 'timestamp'] as const;

/** Options of the sink plugin (at least one of `jsonl`, `csv`). */
export interface SinkPluginOptions {
  /** JSONL file to append to, relative to the config file's folder. */
  jsonl?: string;
  /** CSV file to append to, relative to the config file's folder. */
  csv?: string;
  /** fsync each record before the result is returned. Default false. */
  fsync?: boolean;
}

/** One open output file and how a record is formatted for it. */
export interface SinkOutput {
  handle: FileHandle;
  path: string;
  format(id: string, input: string, result: Readonly<Result>): string;
}

/** The sink's per-host state (internal; exported for declaration files). */
export interface SinkState {
  outputs: SinkOutput[];
  fsync: boolean;
  /** The tail of the write queue. */
  tail: Promise<void>;
}

/** The sink plugin. */
export const sinkPlugin = definePlugin({
  name: 'sink',
  parseOptions(raw: unknown): SinkPluginOptions {
    const o = checkObject(raw, 'sink options', ['jsonl', 'csv', 'fsync']);
    const options: SinkPluginOptions = {
      ...(o.jsonl === undefined ? {} : { jsonl: checkString(o.jsonl, 'sink options.jsonl') }),
      ...(o.csv === undefined ? {} : { csv: checkString(o.csv, 'sink options.csv') }),
      fsync: orDefault(o.fsync, false, (v) => checkBoolean(v, 'sink options.fsync')),
    };
    if (options.jsonl === undefined && options.csv === undefined) throw new TypeError('sink options need "jsonl" or "csv" (or both)');
    return options;
  },
  async setup(ctx, options): Promise<SinkState> {
    const outputs: SinkOutput[] = [];
    try {
      if (options.jsonl !== undefined) {
        const path = resolve(ctx.baseDir, options.jsonl);
        outputs.push({ path, handle: await openForAppend(path), format: (id, input, result) => `${JSON.stringify({ id, input, result })}\n` });
      }
      if (options.csv !== undefined) {
        const path = resolve(ctx.baseDir, options.csv);
        outputs.push({ path, handle: await openForAppend(path, `${csvLine(SINK_CSV_COLUMNS)}\n`), format: csvRecord });
      }
    } catch (error) {
      await Promise.all(outputs.map((o) => o.handle.close()));
      throw error;
    }
    return { outputs, fsync: options.fsync === true, tail: Promise.resolve() };
  },
  hooks: {
    async onResult({ id, input, result }, { state }) {
      const write = state.tail.then(() => Promise.all(state.outputs.map((o) => appendRecord(o, o.format(id, input.name, result), state.fsync))));
      state.tail = write.then(
        () => undefined,
        () => undefined,
      );
      await write;
    },
  },
  async close({ state }) {
    await state.tail;
    await Promise.all(state.outputs.map((o) => o.handle.close()));
  },
});

/** The CSV row of a result. */
function csvRecord(id: string, input: string, result: Readonly<Result>): string {
  const scores = SINK_CSV_LABELS.map((l) => result.scores[l] ?? '');
  return `${csvLine([id, input, result.emotion, result.confidence, ...scores, result.audio.duration_s, result.timestamp])}\n`;
}

/**
 * Opens a file for appending, creating its folder. With a `header`, a new (or empty) file
 * starts with it; the file is created already holding the header, so no record of another
 * process can come first.
 */
async function openForAppend(path: string, header?: string): Promise<FileHandle> {
  await mkdir(dirname(path), { recursive: true });
  if (header !== undefined) await writeFileAtomic(path, header, { exclusive: true });
  const handle = await open(path, 'a');
  if (header !== undefined && (await handle.stat()).size === 0) await handle.write(header);
  return handle;
}

/** Appends one record with a single write call. */
async function appendRecord(output: SinkOutput, record: string, fsync: boolean): Promise<void> {
  const bytes = Buffer.from(record);
  const { bytesWritten } = await output.handle.write(bytes);
  if (bytesWritten !== bytes.length) throw new Error(`Short write to ${output.path}: ${bytesWritten} of ${bytes.length} bytes`);
  if (fsync) await output.handle.datasync();
}
