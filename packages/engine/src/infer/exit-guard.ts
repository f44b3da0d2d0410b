/**
 * Keeps `process.exit()` from aborting the process while ONNX Runtime runs on an inference
 * thread. When the process exits, Node stops every worker thread; a thread that is inside ORT's
 * (synchronous, native) `run` at that moment returns into a stopped JavaScript environment, and
 * onnxruntime-node 1.30 then throws a C++ exception nobody catches: `terminate called after
 * throwing an instance of 'Napi::Error'`, exit code 134. The guard's `exit` listener (which runs
 * before the threads are stopped) blocks until the running inferences have returned, so the
 * process exits with the code it asked for. Exits by signal are not affected (nothing runs).
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
 * Creates the busy flag of one inference thread and watches it at process exit.
 * @returns the flag (one Int32 on shared memory) and a function that stops watching it
 */
export function guardExit(): { busy: SharedArrayBuffer; release: () => void } {
  if (!installed) {
    process.on('exit', waitForRuns);
    installed = true;
  }
  const busy = new SharedArrayBuffer(4);
  const flag = new Int32Array(busy);
  flags.add(flag);
  return { busy, release: () => flags.delete(flag) };
}
