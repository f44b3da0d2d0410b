import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['src/**/*.test.ts'],
    // Converts the golden tiny checkpoints once per run (src/test-support/global-setup.ts).
    globalSetup: ['src/test-support/global-setup.ts'],
  },
});
