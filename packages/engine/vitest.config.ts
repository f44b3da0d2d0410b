import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['src/**/*.test.ts'],
    // One test file at a time: the decode workers and the native resampler already use the
    // second core, and the event-loop tests measure main-thread stalls.
    fileParallelism: false,
  },
});
