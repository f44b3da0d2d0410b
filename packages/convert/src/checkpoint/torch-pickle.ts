/**
 * The torch side of unpickling a state dict: the whitelisted globals, the
 * persistent storage ids, and tensors as metadata records (no data is read).
 * @module
 */
import { CheckpointError } from '../errors.js';
import { PyDict, PyObject, PyTuple, type PyValue, type UnpickleHooks, unpickle } from './pickle.js';
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

/** A whitelisted callable global. */
class TorchCallable extends PyObject {
  constructor(readonly name: 'collections.OrderedDict' | 'torch._utils._rebuild_tensor_v2' | 'torch._utils._rebuild_parameter') {
    super();
  }
}

/**
 * Globals a checkpoint may name, and what they stand for. Nothing else is
 * accepted (the real emotion2vec+ release uses the first three only):
 * - `collections.OrderedDict`: the state dict container (called with no arguments, then filled by SETITEMS);
 * - `torch._utils._rebuild_tensor_v2`: a tensor view into a persistent storage;
 * - `torch.FloatStorage` / `torch.HalfStorage` / `torch.BFloat16Storage`: storage element types (upcast to float32 on read);
 * - `torch._utils._rebuild_parameter`: an `nn.Parameter` saved directly (unwrapped to its tensor).
 */
const ALLOWED_GLOBALS: ReadonlyMap<string, PyObject> = new Map<string, PyObject>([
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

function rebuildTensor(args: readonly PyValue[]): TensorRecord {
  const [storage, offset, shape, stride] = args;
  if (args.length < 6 || args.length > 7) throw bad(`_rebuild_tensor_v2 called with ${args.length} arguments (expected 6 or 7)`);
  if (!(storage instanceof StorageRecord)) throw bad('_rebuild_tensor_v2 called without a persistent storage');
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) throw bad('tensor storage offset is not an integer');
  return new TensorRecord(storage, offset, intTuple(shape, 'shape'), intTuple(stride, 'stride'));
}

const hooks: UnpickleHooks = {
  global(module, name) {
    const found = ALLOWED_GLOBALS.get(`${module}.${name}`);
    if (found === undefined) {
      throw new CheckpointError(
        'E2V_ERR_CHECKPOINT_PICKLE_GLOBAL',
        `checkpoint pickle refers to ${module}.${name}, which is not allowed (a checkpoint is untrusted input; ` +
          `allowed: ${[...ALLOWED_GLOBALS.keys()].join(', ')})`,
      );
    }
    return found;
  },
  reduce(callable, args) {
    if (!(callable instanceof TorchCallable)) throw bad('REDUCE on something that is not a callable global');
    switch (callable.name) {
      case 'collections.OrderedDict':
        if (args.items.length !== 0) throw bad('OrderedDict called with arguments');
        return new PyDict();
      case 'torch._utils._rebuild_tensor_v2':
        return rebuildTensor(args.items);
      case 'torch._utils._rebuild_parameter': {
        const data = args.items[0];
        if (!(data instanceof TensorRecord)) throw bad('_rebuild_parameter called without a tensor');
        return data;
      }
    }
  },
  build(target, state) {
    // OrderedDict state dicts carry `_metadata` (module versions) as instance state: not needed.
    if (!(target instanceof PyDict) || !(state instanceof PyDict)) throw bad('BUILD is only supported for dict state on a dict');
  },
  persistentLoad(pid) {
    const items = pid instanceof PyTuple ? pid.items : [];
    const [kind, type, key, , numel] = items;
    if (kind !== 'storage' || items.length !== 5) throw bad("persistent id is not a ('storage', type, key, location, numel) tuple");
    if (!(type instanceof StorageType)) throw bad('persistent storage without a storage type');
    if (typeof key !== 'string') throw bad('persistent storage key is not a string');
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw bad(`storage ${key} has a bad size`);
    return new StorageRecord(type.dtype, key, numel);
  },
};

/**
 * Unpickles a torch archive's `data.pkl` with only the whitelisted globals.
 * @param data the bytes of `data.pkl`
 * @returns the top-level object; tensors are {@link TensorRecord}s
 * @throws CheckpointError E2V_ERR_CHECKPOINT_PICKLE_GLOBAL naming a global that is not whitelisted,
 *   E2V_ERR_CHECKPOINT_PICKLE_OPCODE, E2V_ERR_CHECKPOINT_PICKLE_CORRUPT, E2V_ERR_CHECKPOINT_TOO_LARGE
 */
export function loadTorchPickle(data: Uint8Array): PyValue {
  return unpickle(data, hooks);
}
