/**
 * How to start a worker thread whose entry module sits beside the caller: the compiled `.js` in
 * `dist/`, or, when the caller runs from its TypeScript sources (under vitest or tsx), the `.ts`
 * file loaded through tsx (a devDependency, resolved from this package).
 * @module
 */
import type { WorkerOptions } from 'node:worker_threads';

/**
 * The script and options for `new Worker(script, options)`.
 * @param callerUrl `import.meta.url` of the module starting the worker
 * @param name the entry module's name without extension, beside the caller (e.g. `ort-worker`)
 */
export function siblingWorkerScript(callerUrl: string, name: string): { script: string | URL; options: WorkerOptions } {
  if (!callerUrl.endsWith('.ts')) return { script: new URL(`./${name}.js`, callerUrl), options: {} };
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return { script: boot, options: { eval: true } };
}
