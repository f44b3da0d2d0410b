/**
 * `e2v serve`: the server on http://127.0.0.1:7860 (Gradio API, REST API, web page) until
 * Ctrl-C or SIGTERM, then a graceful shutdown and exit 0. With no converted model it tries
 * `e2v model pull` once; when that fails (offline) it starts anyway and says which command
 * installs the model. The address also comes from Gradio's flags and variables (see
 * ./serve-address.ts). `--uploads-max-age-h` / `--uploads-max-mb` change the retention of uploads
 * (default 24 h / 2048 MB), `--outputs-max-age-h` / `--outputs-max-mb` turn it on for outputs
 * (off by default: outputs are the user's); 0 turns a limit off. `--help` lists everything.
 * @module
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { int8IsFaster } from '@e2v/engine';
import { DEFAULT_MODEL_NAME, MANIFEST_FILE } from '@e2v/core';
import { DEFAULT_UPLOADS_RETENTION, startServer, type RetentionLimits } from '@e2v/server';
import pino from 'pino';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { DEFAULT_MAX_DURATION_MIN, integerFlag, numberFlag, variantFlag } from './flags.js';
import { modelFolder } from './model-folder.js';
import { SERVE_ADDRESS_FLAGS, serveAddress } from './serve-address.js';
import { SERVE_HELP } from './serve-help.js';
import { formatPluginReports, loadCliPlugins, PLUGIN_FLAGS } from './plugin-flags.js';
import { modelsDir as resolveModelsDir, pullAndConvert } from './model.js';

/**
 * The retention of a folder from its `--<folder>-max-age-h` and `--<folder>-max-mb` flags: an
 * absent flag keeps the default's limit, 0 turns it off; undefined when neither flag is given.
 * @throws UsageError for a negative or non-numeric value
 */
function retentionFlags(values: Record<string, unknown>, folder: 'uploads' | 'outputs', defaults: RetentionLimits): RetentionLimits | undefined {
  const hours = numberFlag(
    values[`${folder}-max-age-h`] as string | undefined,
    `--${folder}-max-age-h`,
    (n) => Number.isFinite(n) && n >= 0,
    'a number of hours >= 0',
  );
  const mb = integerFlag(values[`${folder}-max-mb`] as string | undefined, `--${folder}-max-mb`, 0, 16 * 1024 * 1024);
  if (hours === undefined && mb === undefined) return undefined;
  const limit = (value: number | undefined, scale: number, fallback: number | undefined): number | undefined =>
    value === undefined ? fallback : value === 0 ? undefined : value * scale;
  return { maxAgeMs: limit(hours, 3600_000, defaults.maxAgeMs), maxBytes: limit(mb, 1024 * 1024, defaults.maxBytes) };
}

/**
 * Runs `e2v serve`.
 * @returns exit code (0 after a clean shutdown)
 */
export async function runServe(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...SERVE_ADDRESS_FLAGS,
      help: { type: 'boolean', short: 'h', default: false },
      model: { type: 'string' },
      'models-dir': { type: 'string' },
      outputs: { type: 'string' },
      variant: { type: 'string' },
      int8: { type: 'boolean', default: false },
      threads: { type: 'string' },
      'max-upload-mb': { type: 'string' },
      'max-queued': { type: 'string' },
      concurrency: { type: 'string' },
      'max-duration-min': { type: 'string' },
      'uploads-max-age-h': { type: 'string' },
      'uploads-max-mb': { type: 'string' },
      'outputs-max-age-h': { type: 'string' },
      'outputs-max-mb': { type: 'string' },
      'no-pull': { type: 'boolean', default: false },
      ...PLUGIN_FLAGS,
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(SERVE_HELP);
    return EXIT.ok;
  }
  const { port, host } = serveAddress(values, process.env);
  const variant = variantFlag(values.variant, values.int8);
  const threads = integerFlag(values.threads, '--threads', 1, 256);
  const maxUploadMb = integerFlag(values['max-upload-mb'], '--max-upload-mb', 1, 4096);
  const maxQueued = integerFlag(values['max-queued'], '--max-queued', 0, 10_000);
  const concurrency = integerFlag(values.concurrency, '--concurrency', 1, 64);
  const maxDurationMin = integerFlag(values['max-duration-min'], '--max-duration-min', 1, 24 * 60) ?? DEFAULT_MAX_DURATION_MIN;
  const uploadsRetention = retentionFlags(values, 'uploads', DEFAULT_UPLOADS_RETENTION);
  const outputsRetention = retentionFlags(values, 'outputs', {});
  const modelsDir = resolveModelsDir(values['models-dir']);
  const model = modelFolder(values.model, modelsDir);
  if (!model.chosen && !existsSync(join(model.dir, MANIFEST_FILE)) && !values['no-pull']) {
    io.stderr(`e2v: no model in ${model.dir}; trying 'e2v model pull ${DEFAULT_MODEL_NAME}' once\n`);
    try {
      // the int8 graph too when it will run: asked for, or the faster one on this CPU
      const int8 = variant === 'int8' || (variant === 'auto' && int8IsFaster());
      await pullAndConvert(DEFAULT_MODEL_NAME, { modelsDir, int8, force: false }, io);
    } catch (error) {
      io.stderr(`e2v: pull failed (${(error as Error).message.split('\n')[0]}); starting without a model\n`);
    }
  }
  if (io.signal?.aborted) return EXIT.failure;
  const logger = pino({ name: 'e2v' });
  const plugins = await loadCliPlugins(values, logger.child({ component: 'plugins' }));
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      logger,
      ...(plugins === undefined ? {} : { plugins }),
      modelDir: model.dir,
      host,
      port,
      modelsDir,
      ...(values.outputs === undefined ? {} : { outputsDir: resolve(values.outputs) }),
      engine: { ...(threads === undefined ? {} : { threads }), variant, maxDurationS: maxDurationMin * 60 },
      ...(maxUploadMb === undefined ? {} : { limits: { maxUploadBytes: maxUploadMb * 1024 * 1024 } }),
      ...(maxQueued === undefined ? {} : { maxQueued }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(uploadsRetention === undefined ? {} : { uploadsRetention }),
      ...(outputsRetention === undefined ? {} : { outputsRetention }),
    });
  } catch (error) {
    await plugins?.close();
    throw error;
  }
  io.stderr(`e2v: serving on ${server.url} (${server.model.ready ? 'model ready' : `no model: ${server.model.installCommand}`}); Ctrl-C stops\n`);
  await new Promise<void>((done) => {
    if (io.signal === undefined) return;
    if (io.signal.aborted) done();
    else io.signal.addEventListener('abort', () => done(), { once: true });
  });
  await server.close();
  for (const line of formatPluginReports((await plugins?.close()) ?? {})) io.stderr(`e2v: ${line}\n`);
  io.stderr('e2v: server stopped\n');
  return EXIT.ok;
}
