/**
 * `e2v serve` as users run it: the built executable in a child process, on a free loopback port.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI. */
export const CLI_MAIN = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/** A running `e2v serve`. */
export interface ServedCli {
  child: ChildProcess;
  url: string;
  /** Its stdout so far (JSON log lines). */
  stdout: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Starts `e2v serve --port 0 --no-pull ARGS` and resolves once it says where it listens.
 * @param args more flags
 * @param options working folder (default a new temporary one), environment additions, and
 *   `portFlag: false` to leave the port to `args` or the environment
 */
export async function serveCli(args: string[], options: { cwd?: string; env?: Record<string, string>; portFlag?: boolean } = {}): Promise<ServedCli> {
  const cwd = options.cwd ?? (await mkdtemp(join(tmpdir(), 'e2v-serve-cli-')));
  const port = options.portFlag === false ? [] : ['--port', '0'];
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', ...port, '--no-pull', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`e2v serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, stdout: () => stdout, exited };
}
