/**
 * Training checkpoints convert like bare weights. The golden tiny-a weights are saved again
 * with e2v's torch.save writer next to what fairseq training checkpoints hold (an `args`
 * namespace, numpy scalars and arrays, an OrderedDict subclass from a module that does not
 * exist, an omegaconf config, Adam state for every parameter, a hostile REDUCE); every variant
 * must convert to the same graph and weight files as the clean golden checkpoint.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointDir } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from './checkpoint/open.js';
import { py, type PickleValue } from './checkpoint/pickle-writer.js';
import { saveCheckpoint, type SavedTensor } from './checkpoint/save.js';
import { type ConvertReport, convertCheckpoint } from './convert.js';
import { CheckpointError } from './errors.js';
import { adamState, argsNamespace, fairseqTrainingState, numpyArray, numpyScalar, omegaconfDict } from './synth/training-state.js';

const GOLDEN = checkpointDir('tiny-a');
const hasPython = spawnSync('python3', ['--version']).status === 0;

let work: string;
let weights: SavedTensor[];
let clean: ConvertReport;

/** Writes a checkpoint folder (the golden config and tokens) with the golden weights plus `parts`. */
async function variant(name: string, parts: { extra?: { [key: string]: PickleValue }; tensors?: SavedTensor[]; weights?: SavedTensor[] }): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  for (const file of ['config.yaml', 'tokens.txt']) await copyFile(join(GOLDEN, file), join(dir, file));
  await saveCheckpoint(
    join(dir, 'model.pt'),
    [...(parts.weights ?? weights), ...(parts.tensors ?? [])],
    parts.extra === undefined ? {} : { extra: parts.extra },
  );
  return dir;
}

async function convert(from: string): Promise<ConvertReport> {
  return convertCheckpoint({ from, out: join(from, 'out'), name: 'tiny-a' });
}

/** The converted graph and weights are byte for byte those of the clean checkpoint. */
async function expectSameModel(report: ConvertReport): Promise<void> {
  for (const file of ['model.onnx', 'model.onnx.data']) {
    expect(Buffer.compare(await readFile(join(report.out, file)), await readFile(join(clean.out, file))), file).toBe(0);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'e2v-training-'));
  const reader = await openCheckpoint(join(GOLDEN, 'model.pt'));
  const stored = new Map<string, Uint8Array>();
  for (const name of reader.tensors.keys()) stored.set(name, new Uint8Array((await reader.read(name)).buffer));
  weights = [...reader.tensors.values()].map((t) => ({
    name: t.name.startsWith('proj.') ? t.name : `d2v_model.${t.name}`,
    shape: t.shape,
    data: () => stored.get(t.name)!,
  }));
  await reader.close();
  clean = await convertCheckpoint({ from: GOLDEN, out: join(work, 'clean'), name: 'tiny-a' });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('converting fairseq-style training checkpoints', () => {
  const moment = (p: { shape: readonly number[] }): Uint8Array => new Uint8Array(new Float32Array(p.shape.reduce((a, b) => a * b, 1)).fill(1e-3).buffer);

  it.each([
    ['an args namespace', () => ({ extra: { args: argsNamespace({ lr: [5e-5], arch: 'data2vec_multi' }) } }), ['argparse.Namespace']],
    [
      'numpy scalars and arrays (numpy.core and numpy._core)',
      () => ({
        extra: {
          extra_state: { best_loss: numpyScalar('f8', 0.25), val: numpyScalar('f4', 0.5, 'numpy._core'), rng: numpyArray('i8', [1, 2, 3], 'numpy._core') },
        },
      }),
      [],
    ],
    [
      'an OrderedDict subclass from a module that does not exist, holding the weights',
      () => ({
        weights: weights.map((w) => ({ ...w, inStateDict: false })),
        extra: {
          model: py.call(py.global('e2v_missing.collections', 'WeightsDict'), [], { dictItems: weights.map((w) => [w.name, py.tensor(w.name)] as const) }),
        },
      }),
      ['e2v_missing.collections.WeightsDict'],
    ],
    [
      'an omegaconf-like config',
      () => ({ extra: { cfg: omegaconfDict({ _name: 'emotion2vec', lr: 0.1 }) } }),
      ['omegaconf.base.Metadata', 'omegaconf.dictconfig.DictConfig', 'omegaconf.nodes.AnyNode', 'typing.Any'],
    ],
    [
      'Adam state for every parameter',
      () => {
        const adam = adamState(weights, moment);
        return { extra: { last_optimizer_state: adam.state }, tensors: adam.tensors };
      },
      [],
    ],
  ] as const)('should convert a checkpoint with %s to the clean model', async (name, parts, ignored) => {
    const report = await convert(await variant(name.replace(/\W+/g, '-'), parts()));
    await expectSameModel(report);
    expect(report.checkpoint.ignoredGlobals).toEqual(ignored);
    expect(report.manifest.source.ignoredGlobals).toEqual(ignored);
  });

  it('should read the weights and not the optimizer moments of a full training checkpoint', async () => {
    const training = fairseqTrainingState(weights, moment);
    const dir = await variant('fairseq-training', { extra: training.extra, tensors: training.tensors });
    const report = await convert(dir);
    await expectSameModel(report);
    expect(report.checkpoint.ignoredGlobals).toEqual([
      'argparse.Namespace',
      'fairseq.logging.meters.AverageMeter',
      'fairseq.logging.meters.MetersDict',
      'omegaconf.base.Metadata',
      'omegaconf.dictconfig.DictConfig',
      'omegaconf.nodes.AnyNode',
      'typing.Any',
    ]);
    const size = (await stat(join(dir, 'model.pt'))).size;
    const weightBytes = weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    expect(report.checkpoint.bytes).toBe(size);
    expect(size).toBeGreaterThan(2.9 * weightBytes); // the weights and two moments of each
    // what the clean conversion reads (zip directory, data.pkl, headers, the weights the model
    // needs), plus the longer pickle and directory: under half of the file here, a third at full size
    expect(report.checkpoint.bytesRead).toBeLessThan(clean.checkpoint.bytesRead + 128 * 1024);
    expect(report.checkpoint.bytesRead).toBeLessThan(size / 2);
  });
});

describe('a hostile REDUCE outside the weights', () => {
  let dir: string;
  let marker: string;

  beforeAll(async () => {
    marker = join(work, 'pwned');
    dir = await variant('hostile', { extra: { extra_state: { hook: py.call(py.global('posix', 'system'), [`touch ${marker}`]) } } });
  });

  it.skipIf(!hasPython)('is live: Python pickle (torch globals stubbed) runs its command', () => {
    const script = [
      'import pickle, sys, zipfile',
      'class Loader(pickle.Unpickler):',
      '    def find_class(self, module, name):',
      "        return (lambda *a, **k: None) if module.startswith('torch') else super().find_class(module, name)",
      '    def persistent_load(self, pid):',
      '        return None',
      'with zipfile.ZipFile(sys.argv[1]) as z:',
      "    Loader(z.open(next(n for n in z.namelist() if n.endswith('data.pkl')))).load()",
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, join(dir, 'model.pt')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it('converts, names the global, and runs nothing', async () => {
    await rm(marker, { force: true });
    const report = await convert(dir);
    await expectSameModel(report);
    expect(report.checkpoint.ignoredGlobals).toEqual(['posix.system']);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('EXPECTED FAILURE - an object where the model needs a weight', () => {
  it('should be a typed error naming the key and the global', async () => {
    const target = weights.find((w) => w.name.endsWith('blocks.0.attn.qkv.weight'))!;
    const dir = await variant('placeholder-weight', {
      weights: weights.map((w) => ({ ...w, inStateDict: false })),
      extra: {
        model: py.call(py.global('collections', 'OrderedDict'), [], {
          dictItems: weights.map(
            (w) =>
              [
                w.name,
                w === target ? py.call(py.global('fairseq.modules.quant_noise', 'QuantParam'), [], { newobj: true, state: { bits: 8 } }) : py.tensor(w.name),
              ] as const,
          ),
        }),
      },
    });
    const error = await convert(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ code: 'E2V_ERR_CHECKPOINT_NOT_A_TENSOR' });
    expect((error as Error).message).toBe(
      `state dict entry ${target.name} is an object of fairseq.modules.quant_noise.QuantParam (a global e2v leaves inert), not a tensor; the model needs it as a weight`,
    );
  });
});
