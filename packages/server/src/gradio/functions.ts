/**
 * The two functions of the e2v Gradio app: `predict` (audio, granularity, extract_embedding ->
 * main emotion, scores, log, result.json, embedding.npy) and `load_example` (row index -> the
 * three inputs). Inputs are checked before anything runs: a bad value is a
 * {@link GradioValidationError} (422 with Gradio's `detail` list on the queue routes); inline audio
 * is stored as an upload then. A result whose files could not be saved comes with null files and
 * the warning in its processing log.
 * @module
 */
import { labelEn, type Granularity, type Result } from '@e2v/core';
import type { QueueCallbacks, Reservation } from '../analysis/queue.js';
import type { AnalysisService } from '../analysis/service.js';
import { HttpError } from '../errors.js';
import { examplePath, EXAMPLES } from '../examples.js';
import type { FileStore } from '../storage/file-store.js';
import { LOAD_EXAMPLE_FN, PREDICT_FN } from './constants.js';
import { resolveAudioInput, storeInlineAudio, toFileData } from './file-data.js';

/** An input that fails validation; `parameter` names it as /info does. */
export class GradioValidationError extends HttpError {
  /**
   * @param parameter the parameter_name
   * @param message what is wrong
   */
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(422, 'E2V_ERR_HTTP_INVALID_INPUT', message);
  }

  /** Gradio's 422 `detail` list. */
  get detail(): object[] {
    return [{ __type__: 'validate', is_valid: false, parameter_name: this.parameter, message: this.message }];
  }
}
Object.defineProperty(GradioValidationError.prototype, 'name', { value: 'GradioValidationError' });

/** What a function call may use. */
export interface CallContext {
  /** Root URL of the request. */
  root: string;
  signal: AbortSignal;
  /** Queue progress callbacks (Gradio estimation / process_starts; see {@link QueueCallbacks}). */
  onRank?: QueueCallbacks['onRank'];
  onStart?: QueueCallbacks['onStart'];
  /** The queue place held since the join. */
  reservation?: Reservation;
}

/** A checked call, ready to run. */
export type PreparedCall = (context: CallContext) => Promise<unknown[]>;

/** Checks a call's inputs at once (and stores inline audio) and returns how to run it. */
export type GradioFunction = (data: unknown[]) => Promise<PreparedCall>;

function checkPredictInputs(data: unknown[]): { audio: unknown; granularity: Granularity; embedding: boolean } {
  const [audio, granularity = 'utterance', embedding = false] = data;
  if (granularity !== 'utterance' && granularity !== 'frame') {
    throw new GradioValidationError('granularity', `granularity must be "utterance" or "frame", got ${JSON.stringify(granularity)?.slice(0, 50)}`);
  }
  if (typeof embedding !== 'boolean')
    throw new GradioValidationError('extract_embedding', `extract_embedding must be true or false, got ${JSON.stringify(embedding)?.slice(0, 50)}`);
  return { audio, granularity, embedding };
}

/** Gradio's Label value: the top label and all confidences, high to low. */
export function labelValue(result: Result): { label: string; confidences: { label: string; confidence: number }[] } {
  const confidences = Object.entries(result.scores)
    .map(([label, confidence]) => ({ label, confidence }))
    .sort((a, b) => b.confidence - a.confidence);
  return { label: result.emotion, confidences };
}

/**
 * The main-emotion markdown as the original WebUI's guide prints it: emoji, Chinese and English
 * name, then the confidence (`## 😠 愤怒 (Angry)`, `置信度: 78.6%`).
 */
export function mainEmotionMarkdown(result: Result): string {
  return `## ${result.emoji} ${result.emotion_zh} (${labelEn(result.emotion)})\n\n置信度: ${(result.confidence * 100).toFixed(1)}%`;
}

/**
 * The app's functions by dependency index.
 * @param service runs analyses
 * @param store the server's folders (input paths, examples)
 * @param maxUploadBytes most bytes of inline (data URL) audio
 */
export function gradioFunctions(service: AnalysisService, store: FileStore, maxUploadBytes: number): ReadonlyMap<number, GradioFunction> {
  const predict: GradioFunction = async (data) => {
    const inputs = checkPredictInputs(data);
    const audio = await storeInlineAudio(inputs.audio, store, maxUploadBytes);
    return async (context) => {
      const path = await resolveAudioInput(audio, store, context.root);
      const unpin = store.pin(path);
      const outcome = await service
        .analyze({
          audio: { path },
          granularity: inputs.granularity,
          embedding: inputs.embedding,
          save: true,
          signal: context.signal,
          progress: { onRank: context.onRank, onStart: context.onStart },
          ...(context.reservation === undefined ? {} : { reservation: context.reservation }),
        })
        .finally(unpin);
      const { files } = outcome;
      return [
        mainEmotionMarkdown(outcome.result),
        labelValue(outcome.result),
        outcome.log.join('\n'),
        files === null ? null : await toFileData(context.root, files.resultJson),
        files === null || files.embeddingNpy === null ? null : await toFileData(context.root, files.embeddingNpy),
      ];
    };
  };
  const loadExample: GradioFunction = async (data) => {
    const [index] = data;
    const example = typeof index === 'number' && Number.isInteger(index) ? EXAMPLES[index] : undefined;
    if (example === undefined)
      throw new GradioValidationError('index', `no example with index ${JSON.stringify(index)?.slice(0, 20)} (there are ${EXAMPLES.length})`);
    return async (context) => {
      context.onStart?.();
      const audio = await toFileData(context.root, examplePath(store.folders.examplesDir, example));
      return [
        { __type__: 'update', value: audio },
        { __type__: 'update', value: example.granularity },
        { __type__: 'update', value: example.embedding },
      ];
    };
  };
  return new Map([
    [PREDICT_FN, predict],
    [LOAD_EXAMPLE_FN, loadExample],
  ]);
}
