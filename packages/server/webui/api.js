// @ts-check
/**
 * Calls to the e2v REST API (`/api/v1`). Every failure becomes an {@link ApiError} whose
 * message is the server's `error.message`.
 * @module
 */

/** An error answer of the API, or a failed request. */
export class ApiError extends Error {
  /**
   * @param {string} code `E2V_ERR_...` from the server, or `NETWORK`
   * @param {string} message
   * @param {number} status HTTP status (0 when no answer came)
   */
  constructor(code, message, status) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/**
 * Fetches a URL; a failed connection throws an ApiError with code `NETWORK`.
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
async function send(url, init) {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new ApiError('NETWORK', error instanceof Error ? error.message : String(error), 0);
  }
}

/**
 * The ApiError of a non-2xx answer: the server's `error`, else the HTTP status line.
 * @param {Response} response
 * @param {any} body the parsed JSON body, or null
 * @returns {ApiError}
 */
function answerError(response, body) {
  const error = body?.error;
  return new ApiError(
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? `${response.url}: ${response.status} ${response.statusText}`,
    response.status,
  );
}

/**
 * Fetches a URL and reads its JSON body; a non-2xx answer throws.
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
async function requestJson(url, init) {
  const response = await send(url, init);
  const body = await response.json().catch(() => null);
  if (response.ok && body !== null) return body;
  throw answerError(response, body);
}

/**
 * Whether the server has a model loaded: the 200 and the 503 answer both come back.
 * @returns {Promise<{ ready: boolean, reason?: string, install_command?: string, model?: { name: string, variant: string } }>}
 */
export async function getHealth() {
  const response = await send('/api/v1/health');
  const body = await response.json().catch(() => null);
  if (typeof body?.ready !== 'boolean') throw answerError(response, body);
  return body;
}

/**
 * The loaded model's labels (key, Chinese and English name, emoji) and embedding size; no labels
 * and size 0 when no model is loaded.
 * @returns {Promise<{ labels: import('./labels.js').Label[], embeddingDim: number }>}
 */
export async function getModel() {
  const { loaded } = await requestJson('/api/v1/models');
  return { labels: loaded?.labels ?? [], embeddingDim: loaded?.embedding_dim ?? 0 };
}

/**
 * The audio of the server's first example (the page keeps the settings the user chose).
 * @returns {Promise<{ name: string, blob: Blob }>}
 */
export async function getExample() {
  const { examples } = await requestJson('/api/v1/examples');
  if (!Array.isArray(examples) || examples.length === 0) throw new ApiError('NO_EXAMPLE', 'The server has no example audio.', 200);
  const example = examples[0];
  const response = await send(example.url);
  if (!response.ok) throw answerError(response, null);
  return { name: example.name, blob: await response.blob() };
}

/**
 * Analyzes audio; the results are saved on the server (download links in `files`). The embedding
 * is never inline: the page shows its shape and links embedding.npy (as JSON, the full-size
 * model's frame embedding is about 1 MB per second of audio).
 * @param {Blob} audio any format the server decodes
 * @param {string} fileName
 * @param {{ granularity: 'utterance' | 'frame', embedding: boolean, windowS: string }} options
 *   `windowS`: frame granularity's smoothing window in seconds as typed ('' for the default)
 * @returns {Promise<any>} the Result JSON
 */
export async function analyze(audio, fileName, options) {
  const frame = options.granularity === 'frame';
  const query = new URLSearchParams({
    granularity: options.granularity,
    embedding: String(options.embedding),
    inline_embedding: 'false',
    save: 'true',
    spectrogram: String(frame),
  });
  if (frame && options.windowS !== '') query.set('window_s', options.windowS);
  const form = new FormData();
  form.append('audio', audio, fileName);
  return requestJson(`/api/v1/analyze?${query}`, { method: 'POST', body: form });
}
