/**
 * `predict` called with an HTML form, as the original WebUI's guide does in its batch recipe
 * (`curl -F "audio=@clip.wav" http://localhost:7860/api/predict`): the audio file in the field
 * `audio` (or the form's only file), optional text fields `granularity` and `extract_embedding`.
 * The form becomes the `data` list of the JSON form, so the same checks and the same `predict`
 * run, and the answer is the same.
 * @module
 */
import { HttpError } from '../errors.js';
import { parseFormBoolean } from '../http/form-boolean.js';
import type { MultipartBody, UploadedFile } from '../http/body.js';
import type { FileStore } from '../storage/file-store.js';
import { GradioValidationError } from './functions.js';

/** The form field of the audio file. */
export const AUDIO_FIELD = 'audio';

/** The text fields a predict form may have. */
const TEXT_FIELDS: readonly string[] = ['granularity', 'extract_embedding'];

function badForm(message: string): HttpError {
  return new HttpError(400, 'E2V_ERR_HTTP_BAD_INPUT', message);
}

/** The text fields, checked: only known names, `audio` not sent as text (`-F audio=clip.wav` without `@`). */
function checkTextFields(fields: Readonly<Record<string, string>>): void {
  for (const name of Object.keys(fields)) {
    if (name === AUDIO_FIELD) throw badForm(`The form field "${AUDIO_FIELD}" must be a file, not text: curl -F "${AUDIO_FIELD}=@clip.wav" (with @)`);
    if (!TEXT_FIELDS.includes(name)) throw badForm(`Unknown form field '${name.slice(0, 50)}'; known: ${[AUDIO_FIELD, ...TEXT_FIELDS].join(', ')}`);
  }
}

/** The audio part: the one in the field `audio`, else the only file of the form. */
function audioPart(files: readonly UploadedFile[]): UploadedFile {
  const named = files.find((file) => file.field === AUDIO_FIELD);
  if (named !== undefined) return named;
  if (files.length === 1) return files[0]!;
  const found = files.length === 0 ? 'no file' : `${files.length} files and none`;
  throw badForm(`The form has ${found} in the field "${AUDIO_FIELD}": send the audio as curl -F "${AUDIO_FIELD}=@clip.wav"`);
}

/**
 * The `data` list of a predict form: `[FileData of the audio, granularity, extract_embedding]`
 * (defaults `utterance`, false). The audio is kept in the uploads folder like an `/upload`; the
 * caller discards the other files.
 * @param form the parsed multipart body
 * @param store where the audio is kept
 * @throws HttpError 400 `E2V_ERR_HTTP_BAD_INPUT` (no audio file, an unknown field),
 *   {@link GradioValidationError} 422 for an `extract_embedding` that is not a boolean word,
 *   507 / 500 when the audio cannot be kept
 */
export async function predictFormData(form: MultipartBody, store: FileStore): Promise<unknown[]> {
  checkTextFields(form.fields);
  const { granularity = 'utterance', extract_embedding: embeddingText } = form.fields;
  const embedding = embeddingText === undefined ? false : parseFormBoolean(embeddingText);
  if (embedding === undefined) {
    throw new GradioValidationError('extract_embedding', `extract_embedding must be true or false (or 1/0, on/off), got "${embeddingText!.slice(0, 50)}"`);
  }
  const audio = audioPart(form.files);
  const path = await store.keep(audio, audio.filename);
  return [{ path, orig_name: audio.filename, meta: { _type: 'gradio.FileData' } }, granularity, embedding];
}
