#!/usr/bin/env node
// Adds up the vitest JSON reports of every workspace package (test-output/vitest*.json: the
// main run and the AVX2-only reruns) into one closing line, "tests: N passed, N failed,
// N skipped", after a line naming each skipped test. With --clean, deletes the old reports
// first (run before the tests, so a stale report never counts).
import { readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Vitest's states of a test that did not run. */
const SKIPPED_STATES = new Set(['skipped', 'pending', 'todo']);
/** Skipped tests named above the closing line at most. */
const MAX_SKIPPED_SHOWN = 20;

const root = new URL('..', import.meta.url).pathname;
const packageDirs = ['native', 'test', ...readdirSync(join(root, 'packages')).map((d) => join('packages', d))];
const reports = packageDirs.flatMap((dir) => {
  const folder = join(root, dir, 'test-output');
  return existsSync(folder)
    ? readdirSync(folder)
        .filter((f) => /^vitest.*\.json$/.test(f))
        .map((f) => join(folder, f))
    : [];
});

if (process.argv.includes('--clean')) {
  for (const report of reports) rmSync(report, { force: true });
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
/** Each skipped test once (the AVX2-only reruns skip the same ones), as `file > test name`. */
const skippedNames = new Set();
for (const report of reports.filter((r) => existsSync(r))) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + json.numTodoTests;
  for (const file of json.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (SKIPPED_STATES.has(test.status)) skippedNames.add(`${relative(root, file.name)} > ${test.fullName}`);
    }
  }
}
// a skip is never silent: the tests whose condition failed (no python3 with numpy, another CPU) are named
const shown = [...skippedNames].sort();
for (const name of shown.slice(0, MAX_SKIPPED_SHOWN)) console.log(`skipped: ${name}`);
if (shown.length > MAX_SKIPPED_SHOWN) console.log(`skipped: ... and ${shown.length - MAX_SKIPPED_SHOWN} more`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
