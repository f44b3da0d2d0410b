/**
 * Keeps `process.exit()` from aborting the process while ONNX Runtime runs on an inference
 * thread. When the process exits, Node stops every worker thread; a thread that is inside ORT's
 * (synchronous, native) `run` at that moment returns into a stopped JavaScript environment, and
 * onnxruntime-node 1.30 then throws a C++ exception nobody catches: `terminate called after
 * throwing an instance of 'Napi::Error'`, exit code 134. The guard's `exit` listener (which runs
 * before the threads are stopped) blocks until the running inferences have returned, so the
 * process exits with the code it asked for. Exits by signal are not affected (nothing runs).
 *
 * Blocking the exit is the application's choice, not a library's: every inference thread gets a
 * busy flag, but the listener that waits on them is added only by {@link installExitGuard}
 * (the `e2v` command calls it).
 * @module
 */

/** Longest the exit waits for a running inference, in ms. */
const EXIT_WAIT_MS = 120_000;

const flags = new Set<Int32Array>();
let installed = false;

function waitForRuns(): void {
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (const flag of flags) {
    while (Atomics.load(flag, 0) === 1) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(flag, 0, 1, left);
    }
  }
}

/**
 * Makes `process.exit()` wait (up to 120 s) for the inferences running at that moment, so that
 * the process exits with the code it asked for instead of aborting (exit code 134). For
 * applications: call it once at start-up; later calls do nothing.
 * @example
 * import { installExitGuard } from '@e2v/engine';
 * installExitGuard();
 */
export function installExitGuard(): void {
  if (installed) return;
  process.on('exit', waitForRuns);
  installed = true;
}

/**
 * Creates the busy flag of one inference thread, which the exit guard (when installed) waits on.
 * @returns the flag (one Int32 on shared memory) and a function that stops watching it
 */
export function inferenceBusyFlag(): { busy: SharedArrayBuffer; release: () => void } {
  const busy = new SharedArrayBuffer(4);
  const flag = new Int32Array(busy);
  flags.add(flag);
  return { busy, release: () => flags.delete(flag) };
}
