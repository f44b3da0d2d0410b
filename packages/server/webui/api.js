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
  return new ApiError(error?.code ?? `HTTP_${response.status}`, error?.message ?? `${response.url}: ${response.status} ${response.statusText}`, response.status);
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
 * The loaded model's labels (key, Chinese name, emoji), or none when no model is loaded.
 * @returns {Promise<import('./labels.js').Label[]>}
 */
export async function getLabels() {
  const body = await requestJson('/api/v1/models');
  return body.loaded?.labels ?? [];
}

/**
 * The server's first example with its audio.
 * @returns {Promise<{ name: string, granularity: string, embedding: boolean, blob: Blob }>}
 */
export async function getExample() {
  const { examples } = await requestJson('/api/v1/examples');
  if (!Array.isArray(examples) || examples.length === 0) throw new ApiError('NO_EXAMPLE', 'The server has no example audio.', 200);
  const example = examples[0];
  const response = await send(example.url);
  if (!response.ok) throw answerError(response, null);
  return { name: example.name, granularity: example.granularity, embedding: example.embedding, blob: await response.blob() };
}

/**
 * Analyzes audio; the results are saved on the server (download links in `files`).
 * @param {Blob} audio any format the server decodes
 * @param {string} fileName
 * @param {{ granularity: 'utterance' | 'frame', embedding: boolean }} options
 * @returns {Promise<any>} the Result JSON
 */
export async function analyze(audio, fileName, options) {
  const query = new URLSearchParams({
    granularity: options.granularity,
    embedding: String(options.embedding),
    save: 'true',
    spectrogram: String(options.granularity === 'frame'),
  });
  const form = new FormData();
  form.append('audio', audio, fileName);
  return requestJson(`/api/v1/analyze?${query}`, { method: 'POST', body: form });
}
