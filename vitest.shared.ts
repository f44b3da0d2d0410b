/**
 * Vitest settings shared by every package: the default console reporter plus
 * a JSON report in `<package>/test-output/vitest.json`, which
 * `scripts/test-summary.mjs` adds up into one closing line for CI, and a fixed
 * fast-check seed (vitest.fast-check.ts).
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

/** The `test` block every package's vitest.config.ts spreads in. */
export const sharedTestConfig = {
  // E2V_TEST_REPORT names another report (scripts/test-avx2-only.mjs runs suites a second time)
  reporters: ['default', ['json', { outputFile: process.env.E2V_TEST_REPORT ?? 'test-output/vitest.json' }]],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  setupFiles: [fileURLToPath(new URL('./vitest.fast-check.ts', import.meta.url))],
} satisfies NonNullable<ViteUserConfig['test']>;
