/**
 * What a fairseq training checkpoint keeps next to the weights, written the way torch.save
 * (pickle protocol 2) writes it: an `args` namespace, an omegaconf `cfg`, numpy scalars and
 * arrays among the meters, and Adam moments (`exp_avg`, `exp_avg_sq`) for every parameter. The
 * released emotion2vec+ `model.pt` is about three times its weights, so it almost certainly
 * holds such state; `e2v model synth --training` and the converter's tests build it to show the
 * converter reads the weights and nothing else.
 * @module
 */
import { py, type PickleNode, type PickleValue } from '../checkpoint/pickle-writer.js';
import type { SavedTensor } from '../checkpoint/save.js';

/** A `numpy.dtype` as numpy pickles it: `dtype(code, False, True)` with its byte-order state. */
function numpyDtype(code: 'f8' | 'f4' | 'i8' | 'i4' | 'b1'): PickleNode {
  const order = code === 'b1' ? '|' : '<';
  return py.call(py.global('numpy', 'dtype'), [code, false, true], { state: py.tuple(3, order, null, null, null, -1, -1, 0) });
}

function littleEndian(code: 'f8' | 'f4' | 'i8' | 'i4', values: readonly number[]): Uint8Array {
  const size = code.endsWith('8') ? 8 : 4;
  const view = new DataView(new ArrayBuffer(size * values.length));
  values.forEach((v, i) => {
    if (code === 'f8') view.setFloat64(i * 8, v, true);
    else if (code === 'f4') view.setFloat32(i * 4, v, true);
    else if (code === 'i8') view.setBigInt64(i * 8, BigInt(v), true);
    else view.setInt32(i * 4, v, true);
  });
  return new Uint8Array(view.buffer);
}

/**
 * A numpy scalar (`numpy.float64(value)` and the like) as numpy pickles it.
 * @param spelling `numpy.core` (NumPy 1) or `numpy._core` (NumPy 2)
 */
export function numpyScalar(code: 'f8' | 'f4' | 'i8' | 'i4', value: number, spelling: 'numpy.core' | 'numpy._core' = 'numpy.core'): PickleNode {
  return py.call(py.global(`${spelling}.multiarray`, 'scalar'), [numpyDtype(code), py.bytes(littleEndian(code, [value]))]);
}

/** A 1-d numpy array as numpy pickles it (`_reconstruct` then BUILD with shape, dtype, data). */
export function numpyArray(code: 'f8' | 'f4' | 'i8' | 'i4', values: readonly number[], spelling: 'numpy.core' | 'numpy._core' = 'numpy.core'): PickleNode {
  return py.call(py.global(`${spelling}.multiarray`, '_reconstruct'), [py.global('numpy', 'ndarray'), py.tuple(0), py.bytes(Uint8Array.of(0x62))], {
    state: py.tuple(1, py.tuple(values.length), numpyDtype(code), false, py.bytes(littleEndian(code, values))),
  });
}

/** fairseq's `args`: an `argparse.Namespace` (NEWOBJ, then its `__dict__` as BUILD state). */
export function argsNamespace(fields: { readonly [key: string]: PickleValue }): PickleNode {
  return py.call(py.global('argparse', 'Namespace'), [], { newobj: true, state: fields });
}

/** An omegaconf `DictConfig` as it pickles (its nodes and metadata are omegaconf classes too). */
export function omegaconfDict(content: { readonly [key: string]: PickleValue }): PickleNode {
  const node = (value: PickleValue): PickleNode =>
    py.call(py.global('omegaconf.nodes', 'AnyNode'), [], { newobj: true, state: { _val: value, _metadata: metadata(), _parent: null } });
  const metadata = (): PickleNode =>
    py.call(py.global('omegaconf.base', 'Metadata'), [], {
      newobj: true,
      state: { ref_type: py.global('typing', 'Any'), object_type: null, optional: true, key: null, flags: {} },
    });
  return py.call(py.global('omegaconf.dictconfig', 'DictConfig'), [], {
    newobj: true,
    state: { _metadata: metadata(), _parent: null, _content: Object.fromEntries(Object.entries(content).map(([k, v]) => [k, node(v)])) },
  });
}

/** A parameter of the model, as the optimizer sees it. */
export interface TrainedParameter {
  /** State dict key. */
  name: string;
  shape: readonly number[];
}

/**
 * Adam state for every parameter, as fairseq saves it under `last_optimizer_state`: per
 * parameter index `step`, `exp_avg` and `exp_avg_sq` tensors (stored, outside the state dict),
 * and one param group.
 * @param moment produces the bytes of a moment tensor (called when the checkpoint is written)
 */
export function adamState(
  parameters: readonly TrainedParameter[],
  moment: (parameter: TrainedParameter, which: 'exp_avg' | 'exp_avg_sq') => Uint8Array,
): { state: PickleValue; tensors: SavedTensor[] } {
  const tensors: SavedTensor[] = [];
  const perParameter: [PickleValue, PickleValue][] = parameters.map((parameter, index) => {
    const entry: { [key: string]: PickleValue } = { step: 1000 };
    for (const which of ['exp_avg', 'exp_avg_sq'] as const) {
      const name = `optimizer.${index}.${which}`;
      tensors.push({ name, shape: parameter.shape, inStateDict: false, data: () => moment(parameter, which) });
      entry[which] = py.tensor(name);
    }
    return [index, entry];
  });
  const state = {
    state: py.dict(perParameter),
    param_groups: [{ lr: 5e-5, betas: py.tuple(0.9, 0.98), eps: 1e-6, weight_decay: 0.01, amsgrad: false, params: parameters.map((_, i) => i) }],
  };
  return { state, tensors };
}

/**
 * The top-level entries of a fairseq training checkpoint besides `model` (for
 * `saveCheckpoint`'s `extra`) and the moment tensors they refer to.
 * @param parameters the model's parameters (every one gets Adam moments)
 * @param moment produces a moment tensor's bytes
 */
export function fairseqTrainingState(
  parameters: readonly TrainedParameter[],
  moment: (parameter: TrainedParameter, which: 'exp_avg' | 'exp_avg_sq') => Uint8Array,
): { extra: { [key: string]: PickleValue }; tensors: SavedTensor[] } {
  const adam = adamState(parameters, moment);
  return {
    extra: {
      args: argsNamespace({ arch: 'data2vec_multi', lr: [5e-5], max_update: 100000, update_freq: [1], seed: 1, fp16: true, optimizer: 'adam' }),
      cfg: omegaconfDict({ _name: 'emotion2vec', task: 'audio_classification' }),
      optimizer_history: [
        { criterion_name: 'ModelCriterion', optimizer_name: 'FairseqAdam', lr_scheduler_state: { best: numpyScalar('f8', 0.4321) }, num_updates: 100000 },
      ],
      extra_state: {
        epoch: 12,
        best_loss: numpyScalar('f8', 0.4321),
        val_loss: numpyScalar('f4', 0.5, 'numpy._core'),
        train_iterator: { epoch: 12, iterations_in_epoch: 0, shuffle: true },
        rng_state: numpyArray('i4', [7, 11, 13, 17]),
        metrics: py.call(py.global('fairseq.logging.meters', 'MetersDict'), [], {
          dictItems: [
            [
              'loss',
              py.call(py.global('fairseq.logging.meters', 'AverageMeter'), [], {
                newobj: true,
                state: { val: numpyScalar('f8', 0.43), sum: 43.0, count: 100, round: 3 },
              }),
            ],
          ],
        }),
      },
      last_optimizer_state: adam.state,
    },
    tensors: adam.tensors,
  };
}
