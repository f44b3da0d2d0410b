/**
 * Vitest global setup (not built into dist): converts the golden tiny checkpoints once per run
 * (see @e2v/testkit) and provides the folder as `inject('e2vModels')`.
 * @module
 */
import { convertCheckpoint } from '@e2v/convert';
import { goldenModelsSetup } from '@e2v/testkit';

export default goldenModelsSetup(convertCheckpoint);
