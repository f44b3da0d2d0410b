/**
 * The `e2v` command dispatcher: parses the command line, runs one command and
 * returns its exit code. Every failure prints exactly one line on stderr.
 * @module
 */
import { parseArgs } from 'node:util';
import { collectInfo, formatInfo } from './commands/info.js';
import { EXIT, UsageError } from './errors.js';

/** Where a command writes. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `Usage: e2v <command> [options]

Commands:
  info [--json]    versions and the native SIMD path in use
  help             this text

Options:
  -h, --help       show this text
  -v, --version    print the e2v version
`;

function runInfo(args: string[], io: CliIo): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true });
  const report = collectInfo();
  io.stdout(values.json ? `${JSON.stringify(report)}\n` : formatInfo(report));
  return EXIT.ok;
}

/**
 * Runs the CLI.
 * @param argv arguments after the program name
 * @param io output sinks
 * @returns process exit code (0 ok, 1 failure, 2 usage)
 */
export function run(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        io.stdout(USAGE);
        return EXIT.ok;
      case '-v':
      case '--version':
        io.stdout(`${collectInfo().e2v}\n`);
        return EXIT.ok;
      case 'info':
        return runInfo(rest, io);
      default:
        throw new UsageError(`unknown command '${command}' (run 'e2v help' for the list)`);
    }
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`e2v: ${message.split('\n')[0]}\n`);
    return usage ? EXIT.usage : EXIT.failure;
  }
}
