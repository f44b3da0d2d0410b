#!/usr/bin/env node
// Adds up the vitest JSON reports of every workspace package (test-output/vitest*.json: the
// main run and the AVX2-only reruns) into one closing line, "tests: N passed, N failed,
// N skipped". With --clean, deletes the old reports first (run before the tests, so a stale
// report never counts).
import { readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packageDirs = ['native', 'test', ...readdirSync(join(root, 'packages')).map((d) => join('packages', d))];
const reports = packageDirs.flatMap((dir) => {
  const folder = join(root, dir, 'test-output');
  return existsSync(folder) ? readdirSync(folder).filter((f) => /^vitest.*\.json$/.test(f)).map((f) => join(folder, f)) : [];
});

if (process.argv.includes('--clean')) {
  for (const report of reports) rmSync(report, { force: true });
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of reports.filter((r) => existsSync(r))) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + json.numTodoTests;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
