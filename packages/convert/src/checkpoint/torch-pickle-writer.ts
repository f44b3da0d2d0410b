/**
 * Builds the `data.pkl` of a torch.save archive for a state dict: the same
 * opcodes and globals torch writes (`collections.OrderedDict`,
 * `torch._utils._rebuild_tensor_v2`, `torch.<Type>Storage`), with tensors as
 * persistent storage references. Writes what it is given without checking it
 * (see `saveCheckpoint` for the checked entry point).
 * @module
 */
import { OP } from './opcodes.js';
import { PickleWriter, type PickleValue, type PlainValue } from './pickle-writer.js';
import type { SourceDtype } from './types.js';

/** How one state dict entry refers to its storage. */
export interface TensorReference {
  /** Storage element type. */
  dtype: SourceDtype;
  /** Storage key: the zip entry `<prefix>/data/<key>`. */
  key: string;
  /** Elements in the storage. */
  storageNumel: number;
  /** Storage offset in elements. */
  offset: number;
  /** Shape. */
  shape: readonly number[];
  /** Strides in elements. */
  stride: readonly number[];
}

/** Where the state dict goes in the top-level object. */
export type SaveLayout = 'fairseq' | 'bare' | 'state_dict' | 'model_state_dict';

/** Top-level options of {@link buildTorchPickle}. */
export interface TorchPickleOptions {
  /**
   * `fairseq` (the emotion2vec+ release): `{"args": None, "cfg": cfg, "model": OrderedDict, "criterion": OrderedDict(),
   * "optimizer_history": [], "task_state": {}, "extra_state": {}, "last_optimizer_state": {"state": {}, "param_groups": []}}`;
   * `bare`: the OrderedDict itself; `state_dict` / `model_state_dict`: `{key: OrderedDict}`.
   */
  layout: SaveLayout;
  /** The fairseq `"cfg"` entry; default `{}`. */
  cfg?: PlainValue;
  /**
   * `fairseq` layout: top-level entries that replace the defaults of the same key or are added
   * after them (a training checkpoint's `args`, `extra_state`, `last_optimizer_state`, ...);
   * `py.tensor(name)` inside refers to {@link otherTensors}.
   */
  extra?: { readonly [key: string]: PickleValue };
  /** Tensors outside the state dict, by name, for `py.tensor(name)` in `extra`. */
  otherTensors?: ReadonlyMap<string, TensorReference>;
}

const STORAGE_GLOBALS: Readonly<Record<SourceDtype, string>> = {
  float32: 'FloatStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
};

function orderedDict(pickle: PickleWriter): void {
  pickle
    .global('collections', 'OrderedDict')
    .tuple(0, () => {})
    .op(OP.REDUCE);
}

/** `_rebuild_tensor_v2((storage, type, key, 'cpu', numel), offset, shape, stride, False, OrderedDict())`. */
function tensor(pickle: PickleWriter, ref: TensorReference): void {
  pickle.global('torch._utils', '_rebuild_tensor_v2');
  pickle.tuple(6, () => {
    pickle.tuple(5, () => {
      pickle.memoized('str:storage', () => pickle.str('storage'));
      pickle.global('torch', STORAGE_GLOBALS[ref.dtype]);
      pickle.str(ref.key);
      pickle.memoized('str:cpu', () => pickle.str('cpu'));
      pickle.int(ref.storageNumel);
    });
    pickle.op(OP.BINPERSID);
    pickle.int(ref.offset);
    pickle.intTuple(ref.shape);
    pickle.intTuple(ref.stride);
    pickle.op(OP.NEWFALSE); // requires_grad
    orderedDict(pickle); // backward hooks
  });
  pickle.op(OP.REDUCE);
}

function stateDict(pickle: PickleWriter, entries: readonly (readonly [string, TensorReference])[]): void {
  orderedDict(pickle);
  pickle.setItems(entries, (ref) => tensor(pickle, ref));
}

/**
 * Builds `data.pkl` for a state dict.
 * @param entries state dict keys and their tensors, in order
 * @param options top-level layout
 * @returns the pickle bytes (protocol 2)
 */
export function buildTorchPickle(entries: readonly (readonly [string, TensorReference])[], options: TorchPickleOptions): Uint8Array {
  const pickle = new PickleWriter().op(OP.PROTO, 2);
  pickle.tensorWriter = (name) => {
    const ref = options.otherTensors?.get(name);
    if (ref === undefined) throw new RangeError(`Expected a tensor outside the state dict named ${name}`);
    tensor(pickle, ref);
  };
  if (options.layout === 'bare') {
    stateDict(pickle, entries);
    return pickle.finish();
  }
  pickle.op(OP.EMPTY_DICT);
  if (options.layout !== 'fairseq') {
    pickle.setItems([[options.layout, null]], () => stateDict(pickle, entries));
    return pickle.finish();
  }
  const top = new Map<string, () => void>([
    ['args', () => pickle.value(null)],
    ['cfg', () => pickle.value(options.cfg ?? {})],
    ['model', () => stateDict(pickle, entries)],
    ['criterion', () => stateDict(pickle, [])],
    ['optimizer_history', () => pickle.value([])],
    ['task_state', () => pickle.value({})],
    ['extra_state', () => pickle.value({})],
    ['last_optimizer_state', () => pickle.value({ state: {}, param_groups: [] })],
  ]);
  for (const [key, value] of Object.entries(options.extra ?? {})) top.set(key, () => pickle.value(value));
  pickle.setItems([...top], (emit) => emit());
  return pickle.finish();
}
