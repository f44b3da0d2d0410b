/**
 * Where `e2v serve` listens. Gradio users' habits work too: `--server-port` / `--server-name` are
 * aliases of `--port` / `--host`, and `GRADIO_SERVER_PORT` / `GRADIO_SERVER_NAME` are read like
 * `E2V_PORT` / `E2V_HOST`. A flag wins over the environment, and E2V's variables over Gradio's;
 * an empty variable counts as unset. A bad value is a UsageError naming the flag or variable.
 * @module
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { integerFlag } from './flags.js';

/** The address the server listens on. */
export interface ServeAddress {
  port: number;
  host: string;
}

/** The flags of the address, as parseArgs gives them. */
export interface ServeAddressFlags {
  port?: string | undefined;
  'server-port'?: string | undefined;
  host?: string | undefined;
  'server-name'?: string | undefined;
}

/** parseArgs options of the address flags. */
export const SERVE_ADDRESS_FLAGS = {
  port: { type: 'string' },
  'server-port': { type: 'string' },
  host: { type: 'string' },
  'server-name': { type: 'string' },
} as const;

const DEFAULT_PORT = '7860';
const DEFAULT_HOST = '127.0.0.1';

/** A DNS name: labels of letters, digits and inner hyphens, separated by dots. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * The value to use and the name it came under: a flag or its alias (which must agree), else the
 * first variable set to something, else the default.
 * @param flags a flag and its alias, with their values
 * @param env the variables in order of precedence, with their values
 * @param fallback the default
 * @throws UsageError when a flag and its alias disagree
 */
function pick(flags: readonly [string, string | undefined][], env: readonly [string, string | undefined][], fallback: string): [name: string, value: string] {
  const given = flags.filter(([, value]) => value !== undefined) as [string, string][];
  if (given.length === 2 && given[0]![1] !== given[1]![1]) throw new UsageError(`${given[0]![0]} ${given[0]![1]} contradicts ${given[1]![0]} ${given[1]![1]}`);
  return given[0] ?? (env.find(([, value]) => value !== undefined && value !== '') as [string, string] | undefined) ?? ['the default', fallback];
}

/**
 * A host to bind: an IP address (IPv6 with or without brackets) or a host name.
 * @param value the raw value
 * @param name the flag or variable it came from, for the message
 * @throws UsageError for anything else
 */
export function hostFlag(value: string, name: string): string {
  const bracketed = /^\[(.*)\]$/.exec(value)?.[1];
  if (bracketed !== undefined ? isIP(bracketed) === 6 : isIP(value) !== 0 || HOST_NAME.test(value)) return bracketed ?? value;
  throw new UsageError(`${name} must be an IP address or a host name, not '${value}'`);
}

/**
 * The port and host of `e2v serve`: `--port`/`--server-port`, else `E2V_PORT`, else
 * `GRADIO_SERVER_PORT`, else 7860; `--host`/`--server-name`, else `E2V_HOST`, else
 * `GRADIO_SERVER_NAME`, else 127.0.0.1.
 * @param flags the parsed flags
 * @param env the environment (process.env)
 * @throws UsageError for a bad value (naming where it came from) or a flag and its alias that disagree
 */
export function serveAddress(flags: ServeAddressFlags, env: NodeJS.ProcessEnv): ServeAddress {
  const [portName, port] = pick(
    [
      ['--port', flags.port],
      ['--server-port', flags['server-port']],
    ],
    [
      ['E2V_PORT', env.E2V_PORT],
      ['GRADIO_SERVER_PORT', env.GRADIO_SERVER_PORT],
    ],
    DEFAULT_PORT,
  );
  const [hostName, host] = pick(
    [
      ['--host', flags.host],
      ['--server-name', flags['server-name']],
    ],
    [
      ['E2V_HOST', env.E2V_HOST],
      ['GRADIO_SERVER_NAME', env.GRADIO_SERVER_NAME],
    ],
    DEFAULT_HOST,
  );
  return { port: integerFlag(port, portName, 0, 65535)!, host: hostFlag(host, hostName) };
}
