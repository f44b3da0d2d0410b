/**
 * Typed errors of the converter, one class per area. Codes are stable and
 * catalogued in docs/errors.md.
 * @module
 */
import { E2vError } from '@e2v/core';

/** A checkpoint file cannot be read: `E2V_ERR_CHECKPOINT_<WHAT>` (zip, pickle, tensor data, missing tensor). */
export class CheckpointError extends E2vError {}
Object.defineProperty(CheckpointError.prototype, 'name', { value: 'CheckpointError' });

/** config.yaml / tokens.txt are invalid or describe an unsupported model: `E2V_ERR_CONFIG_<WHAT>`. */
export class ConfigError extends E2vError {}
Object.defineProperty(ConfigError.prototype, 'name', { value: 'ConfigError' });

/** Conversion failed (shape mismatch, output folder, graph building): `E2V_ERR_CONVERT_<WHAT>`. */
export class ConvertError extends E2vError {}
Object.defineProperty(ConvertError.prototype, 'name', { value: 'ConvertError' });

/** Downloading a model failed (network, HTTP status, checksum): `E2V_ERR_PULL_<WHAT>`. */
export class PullError extends E2vError {}
Object.defineProperty(PullError.prototype, 'name', { value: 'PullError' });
