/**
 * Wire constants of the Gradio protocol e2v speaks (docs/gradio-api.md).
 * @module
 */

/** Prefix of every API route of Gradio 5 (root aliases exist too). */
export const GRADIO_API_PREFIX = '/gradio_api';
/** The Gradio version e2v presents itself as. */
export const GRADIO_VERSION = '5.49.1';
/** The queue protocol. */
export const GRADIO_PROTOCOL = 'sse_v3';
/** Index of the predict dependency. */
export const PREDICT_FN = 0;
/** Index of the load_example dependency. */
export const LOAD_EXAMPLE_FN = 1;
/** Finished events kept for `/call/<api>/<event_id>` (Gradio keeps about as many). */
export const MAX_FINISHED_EVENTS = 2000;
