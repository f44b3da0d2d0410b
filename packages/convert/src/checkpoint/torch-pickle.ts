/**
 * The torch side of unpickling a checkpoint: the torch globals e2v understands, the persistent
 * storage ids, and tensors as metadata records (no data is read). A training checkpoint carries
 * more than weights (optimizer state, `args` namespaces, meters, omegaconf configs): every other
 * global becomes an inert {@link OpaqueGlobal} — nothing is imported or run, calls to it are only
 * recorded ({@link PyInert}) — and is listed in the result, so the converter can say what it
 * left alone. NumPy scalars and small arrays are decoded (numpy-pickle.ts).
 * @module
 */
import { CheckpointError } from '../errors.js';
import { buildNumpy, callNumpy, NumpyArray, NumpyDtype, NumpyGlobal, numpyGlobal } from './numpy-pickle.js';
import { PyDict, PyInert, PyObject, PySet, PyTuple, type PyValue, type UnpickleHooks, unpickle } from './pickle.js';
import type { SourceDtype } from './types.js';

/** A storage class global (`torch.FloatStorage`, ...). */
export class StorageType extends PyObject {
  /** @param dtype element type of the storage */
  constructor(readonly dtype: SourceDtype) {
    super();
  }
}

/** A persistent storage: the zip entry `<prefix>/data/<key>` holding `numel` elements. */
export class StorageRecord extends PyObject {
  /**
   * @param dtype element type
   * @param key name of the entry under `<prefix>/data/`
   * @param numel number of elements
   */
  constructor(
    readonly dtype: SourceDtype,
    readonly key: string,
    readonly numel: number,
  ) {
    super();
  }
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view into a storage. */
export class TensorRecord extends PyObject {
  /**
   * @param storage the storage viewed
   * @param offset storage offset in elements
   * @param shape sizes
   * @param stride strides in elements
   */
  constructor(
    readonly storage: StorageRecord,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {
    super();
  }
}

/** A global e2v does not know, left inert: nothing is imported; calling it gives a {@link PyInert}. */
export class OpaqueGlobal extends PyObject {
  /** @param qualifiedName `module.name` as the pickle spells it */
  constructor(readonly qualifiedName: string) {
    super();
  }
}

/** A persistent storage of a type e2v does not read (e.g. `torch.LongStorage` of an optimizer step). */
export class OpaqueStorage extends PyObject {
  /**
   * @param type the storage class, as named in the pickle
   * @param key name of the entry under `<prefix>/data/` (never read)
   */
  constructor(
    readonly type: string,
    readonly key: string,
  ) {
    super();
  }
}

/** A tensor whose storage e2v does not read; fine anywhere but among the weights the converter needs. */
export class OpaqueTensor extends PyObject {
  /** @param storage its storage */
  constructor(readonly storage: OpaqueStorage) {
    super();
  }
}

/** `set` / `frozenset` (how protocols 0-3 pickle sets): a {@link PySet} of the list given. */
class SetConstructor extends PyObject {
  constructor(readonly frozen: boolean) {
    super();
  }
}

const SET_GLOBALS: ReadonlyMap<string, SetConstructor> = new Map([
  ['builtins.set', new SetConstructor(false)],
  ['__builtin__.set', new SetConstructor(false)],
  ['builtins.frozenset', new SetConstructor(true)],
  ['__builtin__.frozenset', new SetConstructor(true)],
]);

/** A whitelisted callable global. */
class TorchCallable extends PyObject {
  constructor(readonly name: 'collections.OrderedDict' | 'torch._utils._rebuild_tensor_v2' | 'torch._utils._rebuild_parameter') {
    super();
  }
}

/**
 * The torch globals e2v understands, and what they stand for (the emotion2vec+ release's
 * weights use the first three only; any other global is left inert, see {@link OpaqueGlobal}):
 * - `collections.OrderedDict`: the state dict container (called with no arguments, then filled by SETITEMS);
 * - `torch._utils._rebuild_tensor_v2`: a tensor view into a persistent storage;
 * - `torch.FloatStorage` / `torch.HalfStorage` / `torch.BFloat16Storage`: storage element types (upcast to float32 on read);
 * - `torch._utils._rebuild_parameter`: an `nn.Parameter` saved directly (unwrapped to its tensor).
 */
const TORCH_GLOBALS: ReadonlyMap<string, PyObject> = new Map<string, PyObject>([
  ['collections.OrderedDict', new TorchCallable('collections.OrderedDict')],
  ['torch._utils._rebuild_tensor_v2', new TorchCallable('torch._utils._rebuild_tensor_v2')],
  ['torch._utils._rebuild_parameter', new TorchCallable('torch._utils._rebuild_parameter')],
  ['torch.FloatStorage', new StorageType('float32')],
  ['torch.HalfStorage', new StorageType('float16')],
  ['torch.BFloat16Storage', new StorageType('bfloat16')],
]);

function bad(message: string): CheckpointError {
  return new CheckpointError('E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', message);
}

function intTuple(value: PyValue | undefined, what: string): number[] {
  if (!(value instanceof PyTuple)) throw bad(`${what} of a tensor is not a tuple`);
  return value.items.map((item) => {
    if (typeof item !== 'number' || !Number.isSafeInteger(item)) throw bad(`${what} of a tensor holds ${String(item)}, not an integer`);
    return item;
  });
}

function rebuildTensor(args: readonly PyValue[]): TensorRecord | OpaqueTensor {
  const [storage, offset, shape, stride] = args;
  if (args.length < 6 || args.length > 7) throw bad(`_rebuild_tensor_v2 called with ${args.length} arguments (expected 6 or 7)`);
  if (storage instanceof OpaqueStorage) return new OpaqueTensor(storage);
  if (!(storage instanceof StorageRecord)) throw bad('_rebuild_tensor_v2 called without a persistent storage');
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) throw bad('tensor storage offset is not an integer');
  return new TensorRecord(storage, offset, intTuple(shape, 'shape'), intTuple(stride, 'stride'));
}

/** `OrderedDict()`, or `OrderedDict([(key, value), ...])`. */
function orderedDict(args: readonly PyValue[]): PyDict {
  const dict = new PyDict();
  if (args.length === 0) return dict;
  const [pairs] = args;
  if (args.length > 1 || !Array.isArray(pairs)) throw bad('OrderedDict called with arguments other than a list of pairs');
  for (const pair of pairs) {
    const items = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : [];
    if (items.length !== 2) throw bad('OrderedDict called with an item that is not a pair');
    dict.items.set(items[0]!, items[1]!);
  }
  return dict;
}

function callTorch(callable: TorchCallable, args: readonly PyValue[]): PyValue {
  switch (callable.name) {
    case 'collections.OrderedDict':
      return orderedDict(args);
    case 'torch._utils._rebuild_tensor_v2':
      return rebuildTensor(args);
    case 'torch._utils._rebuild_parameter': {
      const data = args[0];
      if (!(data instanceof TensorRecord || data instanceof OpaqueTensor)) throw bad('_rebuild_parameter called without a tensor');
      return data;
    }
  }
}

/** The hooks of one load; `ignored` collects the globals left inert. */
function torchHooks(ignored: Set<string>): UnpickleHooks {
  const opaque = (qualifiedName: string): OpaqueGlobal => {
    ignored.add(qualifiedName);
    return new OpaqueGlobal(qualifiedName);
  };
  return {
    global(module, name) {
      const qualified = `${module}.${name}`;
      return TORCH_GLOBALS.get(qualified) ?? SET_GLOBALS.get(qualified) ?? numpyGlobal(module, name) ?? opaque(qualified);
    },
    extension(code) {
      return opaque(`copyreg extension ${code}`);
    },
    reduce(callable, args, kwargs) {
      if (callable instanceof OpaqueGlobal || callable instanceof PyInert) return new PyInert(callable, args.items, kwargs ?? null);
      if (kwargs !== undefined && kwargs.items.size > 0) throw bad('keyword arguments to a torch or numpy global');
      if (callable instanceof TorchCallable) return callTorch(callable, args.items);
      if (callable instanceof NumpyGlobal) return callNumpy(callable, args.items);
      if (callable instanceof SetConstructor) {
        const [items] = args.items;
        if (args.items.length > 1 || (items !== undefined && !Array.isArray(items))) throw bad('set called with something other than a list');
        const set = new PySet(callable.frozen);
        set.items.push(...(items ?? []));
        return set;
      }
      throw bad('a call of something that is not a global');
    },
    build(target, state) {
      if (target instanceof PyInert) target.states.push(state);
      else if (target instanceof NumpyDtype || target instanceof NumpyArray) buildNumpy(target, state);
      // a dict's state is instance attributes (an OrderedDict's `_metadata`): not needed
      else if (!(target instanceof PyDict)) throw bad('BUILD on something that is neither a dict nor an object of an unknown class');
    },
    persistentLoad(pid) {
      const items = pid instanceof PyTuple ? pid.items : [];
      const [kind, type, key, , numel] = items;
      if (kind !== 'storage' || items.length !== 5) throw bad("persistent id is not a ('storage', type, key, location, numel) tuple");
      if (typeof key !== 'string') throw bad('persistent storage key is not a string');
      if (type instanceof OpaqueGlobal) return new OpaqueStorage(type.qualifiedName, key);
      if (!(type instanceof StorageType)) throw bad('persistent storage without a storage type');
      if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw bad(`storage ${key} has a bad size`);
      return new StorageRecord(type.dtype, key, numel);
    },
  };
}

/** An unpickled checkpoint. */
export interface TorchPickle {
  /** The top-level object; tensors are {@link TensorRecord}s (or {@link OpaqueTensor}s). */
  root: PyValue;
  /** Every global the pickle names that e2v left inert (`module.name`), sorted. */
  ignoredGlobals: string[];
}

/**
 * Unpickles a torch archive's `data.pkl`. Nothing from the file is imported or executed: torch
 * and NumPy globals e2v knows are decoded, all others left inert and listed.
 * @param data the bytes of `data.pkl`
 * @throws CheckpointError E2V_ERR_CHECKPOINT_PICKLE_OPCODE, E2V_ERR_CHECKPOINT_PICKLE_CORRUPT,
 *   E2V_ERR_CHECKPOINT_TOO_LARGE
 */
export function loadTorchPickle(data: Uint8Array): TorchPickle {
  const ignored = new Set<string>();
  const root = unpickle(data, torchHooks(ignored));
  return { root, ignoredGlobals: [...ignored].sort() };
}
