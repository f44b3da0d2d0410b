/**
 * Finds the model's state dict in an unpickled checkpoint and normalizes its
 * tensor names.
 * @module
 */
import { CheckpointError } from '../errors.js';
import { NumpyArray } from './numpy-pickle.js';
import { PyDict, PyInert, type PyValue } from './pickle.js';
import { OpaqueGlobal, OpaqueTensor, TensorRecord } from './torch-pickle.js';

/** Top-level keys that hold the state dict, in the order they are tried before the top level itself. */
const WRAPPER_KEYS = ['model', 'state_dict', 'model_state_dict'] as const;

/** Name prefixes removed, in this order: DataParallel's `module.`, then fairseq/FunASR's `d2v_model.`. */
const STRIPPED_PREFIXES = ['module.', 'd2v_model.'] as const;

/**
 * Normalizes a state dict key: removes a leading `module.` then a leading `d2v_model.`.
 * @param key key as stored, e.g. `module.d2v_model.blocks.0.norm1.weight`
 * @returns e.g. `blocks.0.norm1.weight`
 */
export function normalizeTensorName(key: string): string {
  let name = key;
  for (const prefix of STRIPPED_PREFIXES) if (name.startsWith(prefix)) name = name.slice(prefix.length);
  return name;
}

/** A dict, or an object of an unknown dict subclass (its SETITEMS contents). */
function dictOf(value: PyValue | undefined): PyDict | undefined {
  return value instanceof PyDict ? value : value instanceof PyInert && value.dict.items.size > 0 ? value.dict : undefined;
}

function tensorsOf(dict: PyDict): Map<string, TensorRecord> {
  const tensors = new Map<string, TensorRecord>();
  for (const [key, value] of dict.items) if (typeof key === 'string' && value instanceof TensorRecord) tensors.set(key, value);
  return tensors;
}

/** What a state dict entry is when it is not a tensor e2v reads, for error messages. */
export function describeNonTensor(value: PyValue): string {
  if (value instanceof OpaqueTensor) return `a tensor in a ${value.storage.type} storage, which e2v does not read`;
  if (value instanceof PyInert) {
    const made = value.callable instanceof OpaqueGlobal ? value.callable.qualifiedName : 'an unknown callable';
    return `an object of ${made} (a global e2v leaves inert)`;
  }
  if (value instanceof OpaqueGlobal) return `the global ${value.qualifiedName} (left inert)`;
  if (value instanceof NumpyArray) return 'a numpy array';
  if (value === null) return 'None';
  return Array.isArray(value) ? 'a list' : value instanceof PyDict ? 'a dict' : `a ${typeof value}`;
}

/** The model's state dict, as {@link selectStateDict} finds it. */
export interface SelectedStateDict {
  /** Tensors by normalized name (see {@link normalizeTensorName}), in file order. */
  tensors: Map<string, TensorRecord>;
  /** Entries that are something else, by normalized name: what they are (see {@link describeNonTensor}) and their key as stored. */
  nonTensors: Map<string, { key: string; what: string }>;
}

function describeKeys(dict: PyDict): string {
  const keys = [...dict.items.keys()].map((k) => (typeof k === 'string' ? k : String(k)));
  return keys.length === 0 ? '(empty)' : keys.slice(0, 20).join(', ') + (keys.length > 20 ? ', ...' : '');
}

/**
 * Picks the state dict out of a checkpoint's top-level object: `["model"]`
 * (fairseq), `["state_dict"]`, `["model_state_dict"]`, or the top level
 * itself; the first that holds tensors wins (a dict, or an object of an unknown dict subclass).
 * Entries that are not tensors are listed apart; everything else in the checkpoint (optimizer
 * state, configs) is never looked at.
 * @param root the unpickled top-level object
 * @throws CheckpointError E2V_ERR_CHECKPOINT_NO_STATE_DICT when no tensors are found,
 *   E2V_ERR_CHECKPOINT_DUPLICATE_TENSOR when two keys normalize to the same name
 */
export function selectStateDict(root: PyValue): SelectedStateDict {
  const top = dictOf(root);
  if (top === undefined) {
    throw new CheckpointError('E2V_ERR_CHECKPOINT_NO_STATE_DICT', 'checkpoint top level is not a dict, so it holds no state dict');
  }
  const candidates = [...WRAPPER_KEYS.map((key) => dictOf(top.items.get(key))), top];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const raw = tensorsOf(candidate);
    if (raw.size === 0) continue;
    const tensors = new Map<string, TensorRecord>();
    const origin = new Map<string, string>();
    for (const [key, tensor] of raw) {
      const name = normalizeTensorName(key);
      const previous = origin.get(name);
      if (previous !== undefined) {
        throw new CheckpointError(
          'E2V_ERR_CHECKPOINT_DUPLICATE_TENSOR',
          `state dict keys ${previous} and ${key} both become ${name} after removing module./d2v_model. prefixes`,
        );
      }
      origin.set(name, key);
      tensors.set(name, tensor);
    }
    const nonTensors = new Map<string, { key: string; what: string }>();
    for (const [key, value] of candidate.items) {
      if (typeof key === 'string' && !(value instanceof TensorRecord)) nonTensors.set(normalizeTensorName(key), { key, what: describeNonTensor(value) });
    }
    return { tensors, nonTensors };
  }
  throw new CheckpointError(
    'E2V_ERR_CHECKPOINT_NO_STATE_DICT',
    `no tensors found under ${WRAPPER_KEYS.map((k) => `"${k}"`).join(', ')} or at the top level (top-level keys: ${describeKeys(top)})`,
  );
}
