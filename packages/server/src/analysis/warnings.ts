/**
 * Warnings of an analysis that succeeded with a loss: the result is there, something around it
 * is not (the outputs folder could not be written; the embedding is only in a file), besides the
 * audio's own (`result.audio.warnings`: a cut file, damaged frames). REST sends them all as
 * `warnings`, the processing log has a line for each.
 * @module
 */
import { isDiskFull } from '../storage/storage-health.js';

/** A typed warning (`E2V_WARN_<AREA>_<WHAT>`, catalogued in docs/errors.md). */
export interface AnalysisWarning {
  code: string;
  message: string;
}

/**
 * `E2V_WARN_OUTPUTS_NOT_SAVED`: the outputs folder of the analysis could not be written.
 * @param cause the engine's `E2V_ERR_OUTPUT_WRITE` error
 */
export function outputsNotSaved(cause: unknown): AnalysisWarning {
  const why = isDiskFull(cause) ? 'the outputs disk is full' : 'the outputs folder could not be written (see the server log)';
  return { code: 'E2V_WARN_OUTPUTS_NOT_SAVED', message: `The result was not saved: ${why}` };
}

/**
 * `E2V_WARN_EMBEDDING_NOT_INLINE`: the frame embedding was larger than the server returns in a
 * response; it is in the outputs folder's embedding.npy.
 * @param limitMB the server's `maxInlineEmbeddingMB`
 */
export function embeddingNotInline(limitMB: number): AnalysisWarning {
  return {
    code: 'E2V_WARN_EMBEDDING_NOT_INLINE',
    message: `The frame embedding is larger than ${limitMB} MB, so it is not in the response: download embedding.npy from the outputs folder`,
  };
}
