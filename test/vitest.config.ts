import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['e2e/**/*.test.ts'],
    // Converts the golden tiny checkpoints once per run (support/global-setup.ts).
    globalSetup: ['support/global-setup.ts'],
  },
});
