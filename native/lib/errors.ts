/**
 * The error of loading the native addon.
 * @module
 */
import { E2vError } from '@e2v/core';

/** One place the loader looked for the compiled addon, and why it failed there. */
export interface NativeLoadAttempt {
  /** Absolute path tried. */
  path: string;
  /** What went wrong (message of the underlying error). */
  reason: string;
}

/**
 * The compiled addon could not be loaded. The message (one line) lists every
 * path tried with its cause and says how to build the addon.
 */
export class NativeLoadError extends E2vError {
  /** Every path tried, in order. */
  readonly attempts: readonly NativeLoadAttempt[];

  /** @param attempts every path tried with the reason it failed */
  constructor(attempts: readonly NativeLoadAttempt[]) {
    const tried = attempts.map((a) => `${a.path} (${a.reason})`).join('; ');
    super(
      'E2V_ERR_NATIVE_LOAD',
      `Could not load the e2v native addon (@e2v/native). Tried: ${tried}. ` +
        'Fix: build it with `pnpm --filter @e2v/native build` (needs cmake, make and a C++17 compiler), ' +
        'or point E2V_NATIVE_PATH at a compiled e2v_native.node.',
    );
    this.attempts = attempts;
  }
}
Object.defineProperty(NativeLoadError.prototype, 'name', { value: 'NativeLoadError' });
