import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['src/**/*.test.ts'],
    // Converts the golden tiny checkpoints once per run (see src/test-support/global-setup.ts).
    globalSetup: ['src/test-support/global-setup.ts'],
    // One test file at a time: the decode workers, the native resampler and ONNX Runtime already
    // use the second core, and the event-loop tests measure main-thread stalls.
    fileParallelism: false,
  },
});
