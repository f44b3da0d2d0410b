/**
 * Loading a converted model folder: model.json, the variant's files, the ORT session, and a check
 * of the graph against the contract of design.md (input `waveform` float32 [batch, samples];
 * outputs `frames` [batch, T', D], `embedding` [batch, D], `logits` [batch, C], `frame_logits`
 * [batch, T', C]).
 * @module
 */
import type { ModelManifest, ModelVariant } from '@e2v/core';
import { cpuFeatures } from '@e2v/native';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelLoadError } from '../errors.js';
import type { OrtSessionSettings } from '../infer/ort-protocol.js';
import { ModelSession } from '../infer/model-session.js';
import type { Logger } from '../logger.js';
import { readManifest } from './manifest.js';
import { chooseVariant, type VariantRequest } from './variant-choice.js';

/** Graph input name of the contract. */
export const INPUT_NAME = 'waveform';
/** Graph output names of the contract. */
export const OUTPUT_NAMES = ['frames', 'embedding', 'logits', 'frame_logits'] as const;

/** A loaded model. */
export interface LoadedModel {
  /** Absolute model folder. */
  dir: string;
  manifest: ModelManifest;
  variant: ModelVariant;
  /** Why that variant (see variant-choice.ts). */
  variantReason: string;
  session: ModelSession;
  /** Wall time of the whole load, and of the session creation alone. */
  timingsMs: { total: number; session: number };
}

async function checkFile(dir: string, name: string, what: string): Promise<string> {
  const path = join(dir, name);
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new ModelLoadError('E2V_ERR_MODEL_NOT_FOUND', dir, `${path} (${what}) is missing`, { cause });
  }
  return path;
}

/**
 * The error for a graph converted before the contract had `frame_logits` (the engine read the
 * `proj` weights out of the ONNX file then): the folder must be converted again.
 */
function outdatedGraph(manifest: ModelManifest, dir: string): ModelLoadError {
  const int8 = manifest.variants.int8 === undefined ? '' : ' --int8';
  const masked = (manifest.maskedLabels?.indices.length ?? 0) > 0 ? ' --mask-unused' : '';
  return new ModelLoadError(
    'E2V_ERR_MODEL_OUTDATED',
    dir,
    `${dir} was converted by an older e2v: its graph has no 'frame_logits' output. Convert it again with ` +
      `\`e2v model convert --from DIR --out ${dir}${int8}${masked} --force\` (DIR holds model.pt, config.yaml and tokens.txt), ` +
      `or for a model pulled from a hub \`e2v model pull ${manifest.name} --force${int8}\` (it reuses the downloaded files)`,
  );
}

/**
 * Checks the session's inputs and outputs against the contract and model.json.
 * @throws ModelLoadError `E2V_ERR_MODEL_GRAPH_IO`, `E2V_ERR_MODEL_LABELS`, or `E2V_ERR_MODEL_OUTDATED`
 *   (a graph with the other outputs but not `frame_logits`: converted by an older e2v)
 */
export function checkGraphIo(session: Pick<ModelSession, 'inputs' | 'outputs'>, manifest: ModelManifest, dir: string, logger: Logger): void {
  const io = (what: string): ModelLoadError => new ModelLoadError('E2V_ERR_MODEL_GRAPH_IO', dir, `the graph does not follow the e2v contract: ${what}`);
  const show = (m: { name: string; type: string | undefined; shape: (number | string)[] }): string =>
    `${m.name} ${m.type ?? 'non-tensor'} [${m.shape.join(', ')}]`;
  const input = session.inputs[0];
  if (session.inputs.length !== 1 || input === undefined || input.name !== INPUT_NAME) {
    throw io(`expected one input '${INPUT_NAME}', found ${session.inputs.map(show).join('; ') || 'none'}`);
  }
  if (input.type !== 'float32' || input.shape.length !== 2) throw io(`input ${show(input)}, expected float32 [batch, samples]`);
  const D = manifest.embeddingDim;
  const C = manifest.labels.length;
  // the last axis of each output holds D features or C labels
  const expected: Record<(typeof OUTPUT_NAMES)[number], { rank: number; perLabel: boolean }> = {
    frames: { rank: 3, perLabel: false },
    embedding: { rank: 2, perLabel: false },
    logits: { rank: 2, perLabel: true },
    frame_logits: { rank: 3, perLabel: true },
  };
  for (const name of OUTPUT_NAMES) {
    const out = session.outputs.find((o) => o.name === name);
    if (out === undefined && name === 'frame_logits') throw outdatedGraph(manifest, dir);
    if (out === undefined) throw io(`output '${name}' is missing (outputs: ${session.outputs.map((o) => o.name).join(', ') || 'none'})`);
    const { rank, perLabel } = expected[name];
    const last = perLabel ? C : D;
    if (out.type !== 'float32' || out.shape.length !== rank) throw io(`output ${show(out)}, expected float32 of rank ${rank}`);
    const dim = out.shape[rank - 1];
    if (typeof dim === 'number' && dim !== last) {
      if (perLabel) {
        throw new ModelLoadError(
          'E2V_ERR_MODEL_LABELS',
          dir,
          `the graph's ${name} have ${dim} labels but model.json lists ${C} (${manifest.labels.map((l) => l.key).join(', ')})`,
        );
      }
      throw io(`output ${show(out)}, but model.json says embeddingDim ${D}`);
    }
  }
  const extra = session.outputs.filter((o) => !(OUTPUT_NAMES as readonly string[]).includes(o.name));
  if (extra.length > 0) logger.warn({ outputs: extra.map((o) => o.name) }, 'the graph has outputs beyond the contract; they are computed and ignored');
}

/**
 * [async] Loads a model folder.
 * @param modelDir the folder
 * @param variant the variant to run, or `auto` (see variant-choice.ts)
 * @param settings ORT session settings
 * @param logger where to log
 * @throws ModelLoadError with the codes of `MODEL_ERROR_CODES`
 */
export async function loadModel(modelDir: string, variant: VariantRequest, settings: OrtSessionSettings, logger: Logger): Promise<LoadedModel> {
  const t0 = performance.now();
  const dir = resolve(modelDir);
  const manifest = await readManifest(dir);
  const choice = chooseVariant(variant, Object.keys(manifest.variants) as ModelVariant[], cpuFeatures());
  const chosen = choice.variant;
  const files = manifest.variants[chosen];
  if (files === undefined) {
    throw new ModelLoadError(
      'E2V_ERR_MODEL_VARIANT',
      dir,
      `${dir} has no ${chosen} graph (it has ${Object.keys(manifest.variants).join(', ')})${chosen === 'int8' ? '; convert with --int8 to add it' : ''}`,
    );
  }
  const modelPath = await checkFile(dir, files.model, `the ${chosen} graph`);
  await checkFile(dir, files.data, `the ${chosen} weights`);
  const session = await ModelSession.open({ modelPath, modelDir: dir, inputName: INPUT_NAME, settings });
  try {
    checkGraphIo(session, manifest, dir, logger);
  } catch (error) {
    await session.close();
    throw error;
  }
  const total = performance.now() - t0;
  logger.info(
    {
      modelDir: dir,
      name: manifest.name,
      variant: chosen,
      variantReason: choice.reason,
      threads: settings.intraOpNumThreads,
      loadMs: Math.round(total),
      sessionMs: Math.round(session.openMs),
    },
    'model loaded',
  );
  if (manifest.random) logger.warn({ name: manifest.name }, 'this is a random (synthetic) model: its emotions are meaningless');
  return { dir, manifest, variant: chosen, variantReason: choice.reason, session, timingsMs: { total, session: session.openMs } };
}
