/**
 * The error base class of every e2v package, and the errors of the model folder contract.
 * Codes are catalogued in docs/errors.md.
 * @module
 */

/** A stable error code, `E2V_ERR_<AREA>_<WHAT>` (catalogued in docs/errors.md). */
export type E2vErrorCode = `E2V_ERR_${string}`;

/**
 * Base class of every e2v error: a stable machine-readable `code`
 * (`E2V_ERR_<AREA>_<WHAT>`, catalogued in docs/errors.md) and an optional `cause`.
 */
export class E2vError extends Error {
  /** Stable machine-readable code, e.g. `E2V_ERR_NATIVE_LOAD`. */
  readonly code: E2vErrorCode;

  /**
   * @param code stable code, `E2V_ERR_<AREA>_<WHAT>`
   * @param message human-readable message
   * @param options standard error options (`cause`)
   */
  constructor(code: E2vErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
Object.defineProperty(E2vError.prototype, 'name', { value: 'E2vError' });

/**
 * A model.json is not JSON or lacks / mistypes a field readers need: `E2V_ERR_MODEL_MANIFEST`,
 * the message naming the file and the first bad field.
 */
export class ManifestError extends E2vError {
  declare readonly code: 'E2V_ERR_MODEL_MANIFEST';
  /** The model folder whose model.json it is. */
  readonly modelDir: string;

  /**
   * @param modelDir the model folder
   * @param message names the file and what is wrong with it
   * @param options the underlying `cause` (the JSON parser's error)
   */
  constructor(modelDir: string, message: string, options?: { cause?: unknown }) {
    super('E2V_ERR_MODEL_MANIFEST', message, options);
    this.modelDir = modelDir;
  }
}
Object.defineProperty(ManifestError.prototype, 'name', { value: 'ManifestError' });

/**
 * Stable codes of {@link RegistryError}:
 * - `E2V_ERR_PULL_REGISTRY`: `models/manifest.json` is missing, not JSON, or invalid.
 * - `E2V_ERR_PULL_UNKNOWN_MODEL`: a model name the registry does not list; the message lists the known ones.
 */
export type RegistryErrorCode = 'E2V_ERR_PULL_REGISTRY' | 'E2V_ERR_PULL_UNKNOWN_MODEL';

/** The registry of known models cannot be read, or does not list a model. */
export class RegistryError extends E2vError {
  declare readonly code: RegistryErrorCode;

  /**
   * @param code stable code, a {@link RegistryErrorCode}
   * @param message one line naming the file or the model
   * @param options the underlying `cause`
   */
  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
Object.defineProperty(RegistryError.prototype, 'name', { value: 'RegistryError' });
