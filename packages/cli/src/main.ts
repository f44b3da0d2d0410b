#!/usr/bin/env node
/**
 * Executable entry of `e2v`. The dispatcher is imported dynamically so that a
 * failure to load the native addon is reported as one line with exit code 1,
 * not as a stack trace.
 * @module
 */
try {
  const { run } = await import('./run.js');
  process.exitCode = run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  process.stderr.write(`e2v: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  process.exitCode = 1;
}
