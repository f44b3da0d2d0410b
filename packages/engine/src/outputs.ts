/**
 * The outputs folder of one analysis (design.md, "outputs/"):
 * `<outputDir>/outputs_YYYYMMDD_HHMMSS[_N]/` with `processed_audio.wav` (16 kHz mono PCM16),
 * `result.json`, and `embedding.npy` when an embedding was requested. The files are written into
 * a hidden temporary folder as the analysis goes (a long input's audio and frame embedding are
 * never whole in memory) that is then renamed, so a folder is complete or absent; a name
 * already taken (by another analysis in the same second, in this or another process) gets the
 * next `_N` suffix, decided by the atomic rename itself.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNpy, NpyRowWriter } from '@e2v/npy';
import { InferenceError } from './errors.js';
import { outputsFolderName } from './local-time.js';
import { formatResultJson } from './result/result-json.js';
import type { Result } from '@e2v/core';
import { Pcm16WavWriter } from './wav-writer.js';

/** File names inside an outputs folder. */
export const OUTPUT_FILES = { audio: 'processed_audio.wav', result: 'result.json', embedding: 'embedding.npy' } as const;

/** Largest `_N` tried before giving up. */
const MAX_SUFFIX = 10_000;

/** Prefix of the hidden folder an outputs folder is written into (followed by `<pid>-<random>`). */
const STAGING_PREFIX = '.outputs-tmp-';

/** True when a process with this id exists (one we may not signal still exists). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * [async] Removes the staging folders that processes killed while writing an outputs folder left
 * in `outputDir` (`.outputs-tmp-<pid>-*` of a pid that no longer runs). The server and the CLI
 * call it at start; a missing folder is fine.
 * @returns the folders removed
 */
export async function removeStaleStaging(outputDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(/^\.outputs-tmp-(\d+)-[0-9a-f]+$/.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    await rm(join(outputDir, name), { recursive: true, force: true });
    removed.push(join(outputDir, name));
  }
  return removed;
}

/** How an outputs folder is opened. */
export interface StagingOptions {
  /** Rate of the audio appended (16000). */
  sampleRate: number;
  /** Columns (D) of a frame embedding appended row by row into embedding.npy; absent for none. */
  frameEmbeddingDim?: number;
}

/**
 * One outputs folder being written: the audio (and a frame embedding) appended as the analysis
 * goes, result.json at the end, then the hidden folder renamed to its final name. Every failure
 * removes the hidden folder and throws InferenceError `E2V_ERR_OUTPUT_WRITE`; so does a call
 * after a failure.
 */
export class OutputsStaging {
  #failed: InferenceError | undefined;

  private constructor(
    private readonly outputDir: string,
    private readonly dir: string,
    private readonly audio: Pcm16WavWriter,
    private readonly frameEmbedding: NpyRowWriter | undefined,
  ) {}

  /**
   * [async] Creates the hidden folder under `outputDir` (created if needed) and its files.
   * @throws InferenceError `E2V_ERR_OUTPUT_WRITE` (nothing is left behind)
   */
  static async open(outputDir: string, options: StagingOptions): Promise<OutputsStaging> {
    const dir = join(outputDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: true });
      const audio = await Pcm16WavWriter.create(join(dir, OUTPUT_FILES.audio), options.sampleRate);
      const frames =
        options.frameEmbeddingDim === undefined ? undefined : await NpyRowWriter.create(join(dir, OUTPUT_FILES.embedding), options.frameEmbeddingDim);
      return new OutputsStaging(outputDir, dir, audio, frames);
    } catch (cause) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw writeError(outputDir, cause);
    }
  }

  /** [async] Appends 16 kHz samples to processed_audio.wav. */
  appendAudio(samples: Float32Array): Promise<void> {
    return this.guard(() => this.audio.append(samples));
  }

  /** [async] Appends frame embedding rows (T x D, C order) to embedding.npy. */
  appendFrameEmbedding(rows: Float32Array): Promise<void> {
    return this.guard(async () => {
      if (this.frameEmbedding === undefined) throw new Error('this outputs folder takes no frame embedding');
      await this.frameEmbedding.append(rows);
    });
  }

  /**
   * [async] Writes result.json (and the utterance embedding, for a folder opened without a frame
   * embedding), closes the files and renames the folder to `outputs_YYYYMMDD_HHMMSS[_N]`.
   * @param now the time in the folder name: the instant of the Result's `timestamp`
   * @returns the folder's final path
   */
  commit(result: Result, utteranceEmbedding: Float32Array | null, now: Date): Promise<string> {
    return this.guard(async () => {
      await this.audio.close();
      await this.frameEmbedding?.close();
      await writeFile(join(this.dir, OUTPUT_FILES.result), formatResultJson(result));
      if (utteranceEmbedding !== null) await writeFile(join(this.dir, OUTPUT_FILES.embedding), encodeNpy(utteranceEmbedding, [utteranceEmbedding.length]));
      return await renameToFreeName(this.dir, this.outputDir, outputsFolderName(now));
    });
  }

  /** [async] Gives up: removes the hidden folder. Never throws. */
  async discard(): Promise<void> {
    this.#failed ??= new InferenceError('E2V_ERR_OUTPUT_WRITE', 'The outputs folder was discarded');
    await this.audio.discard();
    await this.frameEmbedding?.discard();
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  private async guard<T>(step: () => Promise<T>): Promise<T> {
    if (this.#failed) throw this.#failed;
    try {
      return await step();
    } catch (cause) {
      const error = writeError(this.outputDir, cause);
      await this.discard();
      this.#failed = error;
      throw error;
    }
  }
}

function writeError(outputDir: string, cause: unknown): InferenceError {
  return new InferenceError('E2V_ERR_OUTPUT_WRITE', `Cannot write the outputs folder in ${outputDir}: ${(cause as Error).message}`, { cause });
}

/** Renames `dir` to `<parent>/<base>`, or the first free `<base>_N`: the rename itself decides. */
async function renameToFreeName(dir: string, parent: string, base: string): Promise<string> {
  for (let n = 0; n <= MAX_SUFFIX; n++) {
    const target = join(parent, n === 0 ? base : `${base}_${n}`);
    try {
      await rename(dir, target);
      return target;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // the name is taken by a non-empty folder (or a file): try the next suffix
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error;
    }
  }
  throw new Error(`every name from ${base} to ${base}_${MAX_SUFFIX} is taken`);
}
