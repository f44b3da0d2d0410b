/**
 * Imports a module file: TypeScript (`.ts`, `.mts`, `.cts`) through tsx, anything else with
 * Node's own `import()`.
 * @module
 */
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/**
 * Imports the file at `path` and returns its default export.
 * @param path absolute path of the module
 * @returns the module's default export (for CommonJS: `module.exports`, or its `default` when it
 *   was compiled from an ES module)
 * @throws whatever the import throws (a missing file, a syntax error, a throwing module body)
 */
export async function importDefault(path: string): Promise<unknown> {
  const url = pathToFileURL(path).href;
  const mod = (TYPESCRIPT_EXTENSIONS.has(extname(path)) ? await tsImport(url, import.meta.url) : await import(url)) as { default?: unknown };
  // A CommonJS module compiled from ESM (e.g. a .ts file outside a "type": "module" package,
  // which tsx loads as CommonJS) exposes its default export as module.exports.default.
  const exported = mod.default as { __esModule?: unknown; default?: unknown } | undefined;
  return exported?.__esModule === true && 'default' in exported ? exported.default : exported;
}
