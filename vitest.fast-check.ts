/**
 * Vitest setup file of every package: fast-check draws from one fixed seed, so a property test
 * gives the same verdict on every run and machine. `E2V_FC_SEED=<integer>` replays or varies it;
 * a failure prints fast-check's seed and path to replay (with `E2V_FC_SEED` and the test's
 * `path` option).
 * @module
 */
import fc from 'fast-check';

/** The seed every property test starts from unless `E2V_FC_SEED` says otherwise. */
export const DEFAULT_FAST_CHECK_SEED = 20261206;

const fromEnvironment = process.env.E2V_FC_SEED;
const seed = fromEnvironment === undefined || fromEnvironment === '' ? DEFAULT_FAST_CHECK_SEED : Number(fromEnvironment);
if (!Number.isSafeInteger(seed)) throw new RangeError(`E2V_FC_SEED must be an integer, got ${fromEnvironment}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
