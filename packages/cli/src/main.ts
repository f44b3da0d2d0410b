#!/usr/bin/env node
/**
 * Executable entry of `e2v` (and so of the server, `e2v serve`). As the application, it installs
 * the engine's exit guard: `process.exit()` waits for running inferences instead of aborting.
 * The modules are imported dynamically so that a failure to load one is reported as one line
 * with exit code 1, not as a stack trace.
 * @module
 */
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort(new Error('interrupted (Ctrl-C)')));
process.once('SIGTERM', () => interrupt.abort(new Error('terminated (SIGTERM)')));
try {
  const [{ run }, { installExitGuard }] = await Promise.all([import('./run.js'), import('@e2v/engine')]);
  installExitGuard();
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    signal: interrupt.signal,
  });
} catch (error) {
  process.stderr.write(`e2v: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  process.exitCode = 1;
}
