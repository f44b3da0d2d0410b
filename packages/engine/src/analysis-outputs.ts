/**
 * `AnalysisOutputs`: the files one analysis writes as it goes, the outputs folder (`outputDir`)
 * and an embedding file (`embeddingFile`), both written under temporary names and renamed when
 * complete. A failed outputs folder follows `outputFailure` (fail the analysis, or carry on
 * without it and report the error); a failed embedding file always fails the analysis.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodeNpy, NpyRowWriter } from '@e2v/npy';
import type { OutputFailure } from './engine-options.js';
import { InferenceError } from './errors.js';
import type { Logger } from './logger.js';
import { OutputsStaging } from './outputs.js';
import type { Result } from '@e2v/core';

/** What to write. */
export interface AnalysisOutputsOptions {
  outputDir: string | undefined;
  outputFailure: OutputFailure;
  embeddingFile: string | undefined;
  /** D when a frame embedding is written row by row; undefined for none or an utterance embedding. */
  frameEmbeddingDim: number | undefined;
  /** Rate of the audio appended. */
  sampleRate: number;
}

/** Where the files ended up. */
export interface WrittenOutputs {
  /** The outputs folder, or null (none asked, or it failed under `outputFailure: 'report'`). */
  outputDir: string | null;
  /** The embedding file, or null when none was asked. */
  embeddingFile: string | null;
  /** Why the outputs folder is missing, under `outputFailure: 'report'`. */
  outputError?: InferenceError;
}

function embeddingWriteError(path: string, cause: unknown): InferenceError {
  return new InferenceError('E2V_ERR_OUTPUT_WRITE', `Cannot write the embedding file ${path}: ${(cause as Error).message}`, { cause });
}

/** The files of one analysis in progress. */
export class AnalysisOutputs {
  #outputError: InferenceError | undefined;

  private constructor(
    private readonly options: AnalysisOutputsOptions,
    private readonly log: Logger,
    private staging: OutputsStaging | undefined,
    private readonly frameFile: NpyRowWriter | undefined,
    private readonly embeddingTemp: string | undefined,
  ) {}

  /**
   * [async] Opens the outputs folder and the embedding file asked for.
   * @throws InferenceError `E2V_ERR_OUTPUT_WRITE`: the embedding file, or the outputs folder under `outputFailure: 'throw'`
   */
  static async open(options: AnalysisOutputsOptions, log: Logger): Promise<AnalysisOutputs> {
    const { embeddingFile, frameEmbeddingDim } = options;
    const embeddingTemp =
      embeddingFile === undefined
        ? undefined
        : join(dirname(embeddingFile), `.${basename(embeddingFile)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    let frameFile: NpyRowWriter | undefined;
    if (embeddingTemp !== undefined && frameEmbeddingDim !== undefined) {
      try {
        frameFile = await NpyRowWriter.create(embeddingTemp, frameEmbeddingDim);
      } catch (cause) {
        throw embeddingWriteError(embeddingFile!, cause);
      }
    }
    const outputs = new AnalysisOutputs(options, log, undefined, frameFile, embeddingTemp);
    if (options.outputDir !== undefined) {
      await outputs.folderStep(async () => {
        outputs.staging = await OutputsStaging.open(options.outputDir!, { sampleRate: options.sampleRate, frameEmbeddingDim });
      });
    }
    return outputs;
  }

  /** True while some file takes the frame embedding (so it need not stay in memory). */
  get frameEmbeddingOnDisk(): boolean {
    return this.options.frameEmbeddingDim !== undefined && (this.frameFile !== undefined || this.staging !== undefined);
  }

  /** [async] Appends 16 kHz audio to the outputs folder's processed_audio.wav. */
  async appendAudio(samples: Float32Array): Promise<void> {
    const staging = this.staging;
    if (staging !== undefined) await this.folderStep(() => staging.appendAudio(samples));
  }

  /** [async] Appends frame embedding rows to every file taking them. */
  async appendFrameEmbedding(rows: Float32Array): Promise<void> {
    if (this.frameFile !== undefined) {
      try {
        await this.frameFile.append(rows);
      } catch (cause) {
        throw embeddingWriteError(this.options.embeddingFile!, cause);
      }
    }
    const staging = this.staging;
    if (staging !== undefined) await this.folderStep(() => staging.appendFrameEmbedding(rows));
  }

  /**
   * [async] Completes every file: result.json, the utterance embedding (when `utteranceEmbedding`
   * is given: no frame embedding was streamed), the renames.
   * @param finishedAt the instant of the Result's `timestamp`, which names the outputs folder
   */
  async commit(result: Result, utteranceEmbedding: Float32Array | null, finishedAt: Date): Promise<WrittenOutputs> {
    let embeddingFile: string | null = null;
    if (this.embeddingTemp !== undefined) {
      const target = this.options.embeddingFile!;
      try {
        if (this.frameFile !== undefined) await this.frameFile.close();
        else if (utteranceEmbedding !== null) await writeFile(this.embeddingTemp, encodeNpy(utteranceEmbedding, [utteranceEmbedding.length]));
        await rename(this.embeddingTemp, target);
        embeddingFile = target;
      } catch (cause) {
        await rm(this.embeddingTemp, { force: true }).catch(() => undefined);
        throw embeddingWriteError(target, cause);
      }
    }
    let outputDir: string | null = null;
    const staging = this.staging;
    if (staging !== undefined) {
      await this.folderStep(async () => {
        outputDir = await staging.commit(result, this.options.frameEmbeddingDim === undefined ? utteranceEmbedding : null, finishedAt);
      });
    }
    return { outputDir, embeddingFile, ...(this.#outputError === undefined ? {} : { outputError: this.#outputError }) };
  }

  /** [async] Removes every temporary file (after a failure). Never throws. */
  async discard(): Promise<void> {
    await this.staging?.discard();
    await this.frameFile?.discard();
    if (this.embeddingTemp !== undefined) await rm(this.embeddingTemp, { force: true }).catch(() => undefined);
  }

  /** Runs a step on the outputs folder; a failure follows `outputFailure`. */
  private async folderStep(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (this.options.outputFailure === 'throw') throw error;
      this.#outputError = error as InferenceError;
      this.staging = undefined; // the staging removed itself
      this.log.warn({ err: this.#outputError }, 'outputs folder not written; the result is kept');
    }
  }
}
