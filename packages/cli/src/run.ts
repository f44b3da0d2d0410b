/**
 * The `e2v` command dispatcher: parses the command line, runs one command and
 * returns its exit code. Every failure prints exactly one line on stderr.
 * @module
 */
import { parseArgs } from 'node:util';
import { collectInfo, e2vVersion, formatInfo } from './commands/info.js';
import { runAnalyze } from './commands/analyze/analyze.js';
import { runClassifier } from './commands/classifier.js';
import { runCluster } from './commands/embeddings/cluster.js';
import { runSimilarity } from './commands/embeddings/similarity.js';
import { runModel } from './commands/model.js';
import { runQueue } from './commands/queue.js';
import { runServe } from './commands/serve.js';
import { runWorker } from './commands/worker.js';
import { EXIT, exitCodeOf, failureLine, UsageError } from './errors.js';
import type { CliIo } from './io.js';

export type { CliIo } from './io.js';

const USAGE = `Usage: e2v <command> [options]

Commands:
  serve [--port 7860] [--host 127.0.0.1] [--model DIR] [--variant auto|fp32|int8] [--threads N]
        [--outputs DIR] [--models-dir DIR] [--max-upload-mb N] [--max-queued N] [--no-pull]
        [--concurrency N] [--max-duration-min N]
        [--uploads-max-age-h H] [--uploads-max-mb N] [--outputs-max-age-h H] [--outputs-max-mb N]
        [PLUGIN FLAGS]                the server: web page, Gradio API, REST API (/api/v1);
                                      'e2v serve --help' for every flag (Gradio's --server-port,
                                      --server-name, GRADIO_SERVER_PORT/NAME work too)
  analyze FILES|DIRS|GLOBS... [--model DIR] [--granularity utterance|frame] [--window SECONDS]
        [--embedding] [--out DIR] [--json] [--csv] [--save-outputs] [--concurrency N] [--resume]
        [--allow-failures] [--variant auto|fp32|int8] [--threads N] [--max-duration-min N]
        [PLUGIN FLAGS]
                                      analyze a batch: progress, summary, resumable results;
                                      with --redis URL [--redis-timeout S], in e2v workers
  worker --redis URL [--model DIR] [--variant auto|fp32|int8] [--threads N] [--concurrency N]
        [--lock-ms N] [PLUGIN FLAGS]  run queued analyses for this model (SIGTERM: finish, exit 0)
  queue status --redis URL [--json]   queue counts per model, workers seen, throughput
  similarity A B [--json]             cosine similarity of two audio files or .npy embeddings
  cluster INPUTS... --out DIR [--k N|auto] [--k-range 2-8] [--seed N]
                                      k-means++ on embeddings: assignments.csv, clusters.json
  classifier train --data DIR|CSV --type logreg|knn --out FILE [--folds 5] [--seed N] [--k N] [--l2 X]
                                      train a classifier on embeddings (k-fold accuracy, confusion)
  model convert --from DIR --out DIR  convert model.pt + config.yaml + tokens.txt to ONNX
        [--int8] [--mask-unused] [--name NAME] [--force]
  model pull NAME [--source huggingface|modelscope] [--models-dir DIR] [--int8] [--force]
                                      download a known model and convert it
  model list [--json] [--models-dir DIR]
                                      known models and which are installed
  model synth --config FILE --out DIR [--seed N] [--training]
                                      write a random model of a config's shape (benchmarks)
  info [--json]                       versions and the native SIMD path in use
  help                                this text

--variant auto (the default) runs the faster graph for this CPU among those the model folder
holds (int8 on x86-64 with AVX2 and ARM64 with dot product); --int8 is --variant int8.
With --redis, auto is the model folder's default variant (the same on every machine).

--redis URL: redis://[user:password@]host:6379 or rediss:// (TLS); default E2V_REDIS_URL.
See docs/scale-out.md.

--window SECONDS (analyze --granularity frame): each frame is scored from the mean of a centred
window this long (default 1.0; 0 = raw per-frame scores); result frames.window_s records it.

Plugin flags: --plugin SPEC (repeatable: alert, classifier, sink, ./file.js, a package;
  SPEC={json options}), --config FILE (default e2v.config.json|.js|.ts here), --no-config,
  --plugin-state DIR (default .e2v/plugins), --plugin-timeout-ms N (per hook, default 5000),
  --plugin-memory-mb N (heap and buffers of each plugin's thread, default 256).
  See docs/writing-plugins.md.

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
 * @returns process exit code (0 ok, 1 failure, 2 usage, 74 output folder not writable, 130 Ctrl-C)
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  // serve has a help of its own; the other commands share the usage
  if (command !== 'serve' && (options.includes('-h') || options.includes('--help'))) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
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
        io.stdout(`${e2vVersion()}\n`);
        return EXIT.ok;
      case 'info':
        return runInfo(rest, io);
      case 'model':
        return await runModel(rest, io);
      case 'serve':
        return await runServe(rest, io);
      case 'analyze':
        return await runAnalyze(rest, io);
      case 'worker':
        return await runWorker(rest, io);
      case 'queue':
        return await runQueue(rest, io);
      case 'similarity':
        return await runSimilarity(rest, io);
      case 'cluster':
        return await runCluster(rest, io);
      case 'classifier':
        return await runClassifier(rest, io);
      default:
        throw new UsageError(`unknown command '${command}' (run 'e2v help' for the list)`);
    }
  } catch (error) {
    io.stderr(failureLine(error));
    return exitCodeOf(error);
  }
}
