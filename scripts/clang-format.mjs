#!/usr/bin/env node
/**
 * Formats the C++ of native/ with the repository's .clang-format, using the clang-format binary
 * of the `clang-format` npm package (pinned, so every machine formats alike).
 *
 *   node scripts/clang-format.mjs          check: lists the files that differ, exit 1 if any
 *   node scripts/clang-format.mjs --write  rewrites them
 *
 * Where the package has no binary for this platform, it says so in one line and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['native/src', 'native/test'];
const write = process.argv.includes('--write');

/** The package's binary for this platform, or null. */
function clangFormatBinary() {
  const pkg = dirname(createRequire(import.meta.url).resolve('clang-format/package.json'));
  const binary = join(pkg, 'bin', `${process.platform}_${process.arch}`, process.platform === 'win32' ? 'clang-format.exe' : 'clang-format');
  return existsSync(binary) ? binary : null;
}

/** C++ files under `dir`, recursively. */
function cppFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return cppFiles(path);
    return /\.(cc|h|cpp|hpp)$/.test(entry.name) ? [path] : [];
  });
}

const binary = clangFormatBinary();
if (binary === null) {
  console.log(`clang-format: no binary for ${process.platform}_${process.arch} in the clang-format package; C++ formatting not checked`);
  process.exit(0);
}
const files = SOURCES.flatMap((dir) => cppFiles(join(ROOT, dir)));
const args = write ? ['-i', '--style=file', ...files] : ['--dry-run', '--Werror', '--style=file', ...files];
const run = spawnSync(binary, args, { cwd: ROOT, encoding: 'utf8' });
if (run.status !== 0) {
  const differing = [...new Set([...run.stderr.matchAll(/^(\S+?):\d+:\d+: error/gm)].map((m) => m[1]))];
  console.error(`clang-format: ${differing.length} file(s) not formatted (run: pnpm format):\n${differing.map((f) => `  ${f}`).join('\n') || run.stderr}`);
  process.exit(1);
}
console.log(`clang-format: ${files.length} C++ files ${write ? 'formatted' : 'formatted correctly'}`);
