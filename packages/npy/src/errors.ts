/**
 * Errors of the .npy reader.
 * @module
 */

/** A byte string is not a .npy file this reader understands; `code` is `E2V_ERR_NPY_FORMAT`. */
export class NpyFormatError extends Error {
  /** Stable code. */
  readonly code = 'E2V_ERR_NPY_FORMAT';
}
Object.defineProperty(NpyFormatError.prototype, 'name', { value: 'NpyFormatError' });
