/**
 * `e2v model convert|pull|list|synth`: get emotion2vec+ models into the
 * converted-folder form the engine loads (`models/<name>/`).
 * @module
 */
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { listModels } from '@e2v/core';
import { convertCheckpoint, createProgressRenderer, pullModel, synthCheckpoint, type ConvertReport } from '@e2v/convert';
import { EXIT, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';

/** The models folder: `--models-dir`, else E2V_MODELS_DIR, else ./models. */
export function modelsDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.E2V_MODELS_DIR ?? 'models');
}

function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value === '') throw new UsageError(`e2v model ${command} needs ${flag}`);
  return value;
}

/** Progress lines for conversion stages: one line per stage change. */
function stageReporter(io: CliIo): (p: { stage: string; done: number; total: number }) => void {
  let last = '';
  return (p) => {
    if (p.stage !== last) io.stderr(`${p.stage}...\n`);
    last = p.stage;
  };
}

/** Says which globals of the checkpoint's pickle the conversion left inert (one line, when any). */
function reportIgnoredGlobals(report: ConvertReport, io: CliIo): ConvertReport {
  const { ignoredGlobals } = report.checkpoint;
  const n = ignoredGlobals.length;
  if (n > 0) io.stderr(`ignored ${n} unknown global${n === 1 ? '' : 's'} outside the weights: ${ignoredGlobals.join(', ')}\n`);
  return report;
}

async function convert(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      out: { type: 'string' },
      int8: { type: 'boolean', default: false },
      'mask-unused': { type: 'boolean', default: false },
      name: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const report = await convertCheckpoint({
    from: resolve(required(values.from, '--from DIR', 'convert')),
    out: resolve(required(values.out, '--out DIR', 'convert')),
    int8: values.int8,
    maskUnusedLabels: values['mask-unused'],
    overwrite: values.force,
    ...(values.name === undefined ? {} : { name: values.name }),
    onProgress: stageReporter(io),
  });
  reportIgnoredGlobals(report, io);
  io.stdout(`${JSON.stringify(report)}\n`);
  return EXIT.ok;
}

async function pull(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      'models-dir': { type: 'string' },
      int8: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [name, extra] = positionals;
  if (name === undefined || extra !== undefined) throw new UsageError('e2v model pull takes one model name (see e2v model list)');
  const source = values.source;
  if (source !== undefined && source !== 'huggingface' && source !== 'modelscope') {
    throw new UsageError(`--source must be huggingface or modelscope, not '${source}'`);
  }
  const dir = modelsDir(values['models-dir']);
  const installed = (await listModels(dir)).find((m) => m.id === name && m.installed);
  if (installed && !values.force) {
    io.stderr(`${name} is already installed in ${installed.dir} (--force pulls and converts again)\n`);
    return EXIT.ok;
  }
  const report = await pullAndConvert(name, { source, modelsDir: dir, int8: values.int8, force: values.force }, io);
  io.stdout(`${JSON.stringify(report)}\n`);
  return EXIT.ok;
}

/** What {@link pullAndConvert} needs besides the model name. */
export interface PullPlan {
  source?: 'huggingface' | 'modelscope' | undefined;
  modelsDir: string;
  int8: boolean;
  force: boolean;
}

/**
 * Downloads a known model and converts it into `<modelsDir>/<name>`, with a progress bar on
 * stderr (`e2v model pull`, and `e2v serve` when no model is installed).
 * @returns the pull report
 */
export async function pullAndConvert(name: string, plan: PullPlan, io: CliIo): Promise<Awaited<ReturnType<typeof pullModel>>> {
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      io.stderr(chunk.toString());
      done();
    },
  });
  const renderer = createProgressRenderer(sink, { isTTY: io.stderrIsTTY === true });
  try {
    return await pullModel(name, {
      ...(plan.source === undefined ? {} : { source: plan.source }),
      modelsDir: plan.modelsDir,
      onProgress: renderer.onProgress,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      convert: async (fromDir: string, outDir: string) =>
        reportIgnoredGlobals(
          await convertCheckpoint({ from: fromDir, out: outDir, int8: plan.int8, name, overwrite: plan.force, onProgress: stageReporter(io) }),
          io,
        ),
    });
  } finally {
    renderer.close();
  }
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false }, 'models-dir': { type: 'string' } },
    strict: true,
  });
  const models = await listModels(modelsDir(values['models-dir']));
  if (values.json) {
    io.stdout(`${JSON.stringify(models)}\n`);
  } else {
    const width = Math.max(...models.map((m) => m.id.length));
    for (const m of models) io.stdout(`${m.id.padEnd(width)}  ${m.installed ? `installed in ${m.dir}` : 'not installed'}\n`);
  }
  return EXIT.ok;
}

async function synth(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, training: { type: 'boolean', default: false } },
    strict: true,
  });
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, not '${values.seed}'`);
  const report = await synthCheckpoint({
    config: resolve(required(values.config, '--config FILE', 'synth')),
    out: resolve(required(values.out, '--out DIR', 'synth')),
    ...(seed === undefined ? {} : { seed }),
    training: values.training,
  });
  io.stdout(`${JSON.stringify(report)}\n`);
  return EXIT.ok;
}

/**
 * Runs `e2v model <subcommand> ...`.
 * @param args arguments after `model`
 * @param io output sinks
 * @returns exit code
 * @throws UsageError for an unknown subcommand or bad flags; the library's typed errors otherwise
 */
export async function runModel(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'convert':
      return convert(rest, io);
    case 'pull':
      return pull(rest, io);
    case 'list':
      return list(rest, io);
    case 'synth':
      return synth(rest, io);
    default:
      throw new UsageError(sub === undefined ? 'e2v model needs a subcommand: convert, pull, list or synth' : `unknown model subcommand '${sub}'`);
  }
}
