/**
 * Finds the file an npm package specifier (`name`, `@scope/name`, `name/sub/path`) or a package
 * folder stands for, from a given folder, as Node's ESM resolver would for `import`: the nearest
 * `node_modules/<name>`, then its `exports` (conditions `import`, `node`, `default`), else `main`,
 * else `index.js`.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const CONDITIONS = ['import', 'node', 'default'] as const;

/**
 * Resolves a bare package specifier from `fromDir`.
 * @param specifier e.g. `e2v-plugin-foo` or `@acme/e2v-tools/alerts`
 * @param fromDir the folder to start looking in (then its parents)
 * @returns the absolute path of the entry file, or undefined when the package or entry is not found
 */
export function resolvePackage(specifier: string, fromDir: string): string | undefined {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = ['.', ...parts.slice(nameLength)].join('/');
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) return packageEntry(candidate, subpath);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The entry file of a package folder for a subpath.
 * @param packageDir the folder holding package.json
 * @param subpath `.` or `./sub/path`
 * @returns the absolute path, or undefined when the package does not provide that subpath
 */
export function packageEntry(packageDir: string, subpath: string): string | undefined {
  const manifestPath = join(packageDir, 'package.json');
  const manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown; main?: unknown }) : {};
  if (manifest.exports !== undefined) {
    const target = exportTarget(manifest.exports, subpath);
    return target === undefined ? undefined : join(packageDir, target);
  }
  if (subpath !== '.') return join(packageDir, subpath);
  return join(packageDir, typeof manifest.main === 'string' ? manifest.main : 'index.js');
}

/** The target of `subpath` in an `exports` field. */
function exportTarget(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap = typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  if (isSubpathMap) return conditionTarget((exports as Record<string, unknown>)[subpath]);
  return subpath === '.' ? conditionTarget(exports) : undefined;
}

/** Picks a file from a conditional export (`import` before `node` before `default`). */
function conditionTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) return target.map(conditionTarget).find((t) => t !== undefined);
  if (typeof target !== 'object' || target === null) return undefined;
  const conditions = target as Record<string, unknown>;
  for (const condition of CONDITIONS) {
    if (condition in conditions) return conditionTarget(conditions[condition]);
  }
  return undefined;
}
