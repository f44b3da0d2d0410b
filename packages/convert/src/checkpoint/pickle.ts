/**
 * A restricted unpickler: a stack machine for every opcode of pickle protocols 0-5 (but
 * out-of-band buffers). It never imports or calls anything itself — every GLOBAL, REDUCE /
 * NEWOBJ / OBJ / INST call, BUILD and persistent id goes to caller-supplied hooks, which decide
 * what each stands for. Objects of classes e2v does not know become {@link PyInert} records.
 * @module
 */
import { CheckpointError } from '../errors.js';
import { OP, opcodeName } from './opcodes.js';

/** Base class for the opaque objects the hooks create (callables, storages, tensors). */
export abstract class PyObject {}

/** A Python tuple (lists are plain arrays). */
export class PyTuple {
  /** @param items the tuple's items */
  constructor(readonly items: readonly PyValue[]) {}
}

/** A Python dict or OrderedDict: insertion-ordered, keyed by value (primitives) or identity (objects). */
export class PyDict {
  /** The items, in insertion order. */
  readonly items = new Map<PyValue, PyValue>();
}

/** A Python set or frozenset (items in pickle order). */
export class PySet {
  /** @param frozen whether it was a frozenset */
  constructor(readonly frozen: boolean) {}
  /** The items. */
  readonly items: PyValue[] = [];
}

/**
 * An object the program builds from a callable the hooks leave opaque (an unknown class):
 * nothing is called; what the program gives it is recorded — call arguments, BUILD states, and
 * the items SETITEM(S) / APPEND(S) put into it (a dict or list subclass keeps its contents).
 */
export class PyInert extends PyObject {
  /** Dict items given by SETITEM / SETITEMS. */
  readonly dict = new PyDict();
  /** List items given by APPEND / APPENDS. */
  readonly list: PyValue[] = [];
  /** BUILD states, in order. */
  readonly states: PyValue[] = [];
  /**
   * @param callable what was called (an opaque global, or another inert object)
   * @param args positional arguments
   * @param kwargs keyword arguments (NEWOBJ_EX), or null
   */
  constructor(
    readonly callable: PyValue,
    readonly args: readonly PyValue[],
    readonly kwargs: PyDict | null = null,
  ) {
    super();
  }
}

/** A value produced by the unpickler. Python int becomes number, or bigint beyond 2^53. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PySet | PyObject;

/** What the unpickler delegates to the caller. Each hook throws for anything it does not allow. */
export interface UnpickleHooks {
  /** GLOBAL / STACK_GLOBAL `module.name`: return the object standing for it. */
  global(module: string, name: string): PyValue;
  /** REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST: call (or instantiate) `callable` with `args` (and `kwargs`). */
  reduce(callable: PyValue, args: PyTuple, kwargs?: PyDict): PyValue;
  /** BUILD: apply `state` to `target` (e.g. `__setstate__`). */
  build(target: PyValue, state: PyValue): void;
  /** BINPERSID / PERSID: resolve a persistent id. */
  persistentLoad(pid: PyValue): PyValue;
  /** EXT1 / EXT2 / EXT4: the object registered under a copyreg extension code. */
  extension(code: number): PyValue;
}

/** Limits against hostile pickles. */
export interface PickleLimits {
  /** Open MARKs at once (nesting depth of containers). */
  maxMarkDepth: number;
  /** Values on the stack at once. */
  maxStack: number;
  /** Bytes of one LONG1/LONG4 integer. */
  maxLongBytes: number;
}

/** Default limits (real torch pickles stay far below them). */
export const PICKLE_LIMITS: Readonly<PickleLimits> = {
  /** Open MARKs at once (nesting depth of containers). */
  maxMarkDepth: 1000,
  /** Values on the stack at once. */
  maxStack: 1_000_000,
  /** Bytes of one LONG1/LONG4 integer. */
  maxLongBytes: 64,
};

function corrupt(message: string, at: number): CheckpointError {
  return new CheckpointError('E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', `malformed pickle at byte ${at}: ${message}`);
}

function limit(message: string, at: number): CheckpointError {
  return new CheckpointError('E2V_ERR_CHECKPOINT_TOO_LARGE', `pickle exceeds a limit at byte ${at}: ${message}`);
}

/** Two's-complement little-endian integer of any length (LONG1/LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if ((bytes[bytes.length - 1]! & 0x80) !== 0) value -= 1n << BigInt(bytes.length * 8);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * Runs a pickle program with only the given hooks as its window to the outside.
 * @param data the pickle bytes (e.g. a torch archive's `data.pkl`)
 * @param hooks what globals, calls, BUILD, persistent ids and extension codes stand for
 * @param limits nesting, stack and integer size limits
 * @returns the value left by STOP
 * @throws CheckpointError E2V_ERR_CHECKPOINT_PICKLE_OPCODE (unsupported opcode, named),
 *   E2V_ERR_CHECKPOINT_PICKLE_CORRUPT (truncated or inconsistent program),
 *   E2V_ERR_CHECKPOINT_TOO_LARGE ({@link PICKLE_LIMITS}), and whatever the hooks throw
 */
export function unpickle(data: Uint8Array, hooks: UnpickleHooks, limits: Readonly<PickleLimits> = PICKLE_LIMITS): PyValue {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder();
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  let opAt = 0;

  const need = (n: number): number => {
    if (n < 0 || pos + n > data.length) throw corrupt(`truncated: needs ${n} more bytes`, opAt);
    const start = pos;
    pos += n;
    return start;
  };
  const u8 = (): number => view.getUint8(need(1));
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const value = view.getBigUint64(need(8), true);
    if (value > BigInt(data.length)) throw corrupt(`length ${value} exceeds the pickle`, opAt);
    return Number(value);
  };
  const bytes = (n: number): Uint8Array => data.subarray(need(n), pos);
  const text = (n: number): string => utf8.decode(bytes(n));
  const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw corrupt('text opcode without a newline', opAt);
    return text(end - pos + 1).slice(0, -1);
  };
  const textInt = (value: string): number | bigint => {
    const digits = value.endsWith('L') ? value.slice(0, -1) : value;
    if (!/^[+-]?\d+$/.test(digits) || digits.length > limits.maxLongBytes * 3) throw corrupt(`bad integer ${JSON.stringify(value.slice(0, 40))}`, opAt);
    const big = BigInt(digits);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  };
  const push = (value: PyValue): void => {
    if (stack.length >= limits.maxStack) throw limit(`more than ${limits.maxStack} values on the stack`, opAt);
    stack.push(value);
  };
  const pop = (): PyValue => {
    const floor = marks.length > 0 ? marks[marks.length - 1]! : 0;
    if (stack.length <= floor) throw corrupt('stack underflow', opAt);
    return stack.pop()!;
  };
  const top = (): PyValue => {
    const floor = marks.length > 0 ? marks[marks.length - 1]! : 0;
    if (stack.length <= floor) throw corrupt('stack underflow', opAt);
    return stack[stack.length - 1]!;
  };
  const popMark = (): PyValue[] => {
    const mark = marks.pop();
    if (mark === undefined) throw corrupt('no MARK to pop to', opAt);
    return stack.splice(mark);
  };
  const get = (index: number): PyValue => {
    if (!memo.has(index)) throw corrupt(`memo index ${index} was never stored`, opAt);
    return memo.get(index)!;
  };
  const put = (index: number): void => {
    memo.set(index, top());
  };
  const asDict = (target: PyValue, op: string): PyDict => {
    if (target instanceof PyInert) return target.dict;
    if (!(target instanceof PyDict)) throw corrupt(`${op} on something that is not a dict`, opAt);
    return target;
  };
  const asList = (target: PyValue, op: string): PyValue[] => {
    if (target instanceof PyInert) return target.list;
    if (!Array.isArray(target)) throw corrupt(`${op} on something that is not a list`, opAt);
    return target;
  };
  const asSet = (target: PyValue): PyValue[] => {
    if (target instanceof PyInert) return target.list;
    if (!(target instanceof PySet) || target.frozen) throw corrupt('ADDITEMS on something that is not a set', opAt);
    return target.items;
  };
  const call = (callable: PyValue, args: PyValue, kwargs?: PyValue): PyValue => {
    if (!(args instanceof PyTuple)) throw corrupt('call arguments are not a tuple', opAt);
    if (kwargs !== undefined && !(kwargs instanceof PyDict)) throw corrupt('keyword arguments are not a dict', opAt);
    return kwargs === undefined ? hooks.reduce(callable, args) : hooks.reduce(callable, args, kwargs);
  };
  const setItems = (dict: PyDict, items: readonly PyValue[]): void => {
    if (items.length % 2 !== 0) throw corrupt('SETITEMS with an odd number of values', opAt);
    for (let i = 0; i < items.length; i += 2) dict.items.set(items[i]!, items[i + 1]!);
  };
  const long = (n: number): number | bigint => {
    if (n > limits.maxLongBytes) throw limit(`a ${n}-byte integer`, opAt);
    return decodeLong(bytes(n));
  };

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case OP.PROTO: {
        const version = u8();
        if (version > 5) throw corrupt(`unsupported pickle protocol ${version}`, opAt);
        break;
      }
      case OP.FRAME:
        u64();
        break;
      case OP.STOP: {
        const result = pop();
        if (stack.length !== 0 || marks.length !== 0) throw corrupt('values left on the stack at STOP', opAt);
        return result;
      }
      case OP.MARK:
        if (marks.length >= limits.maxMarkDepth) throw limit(`nesting deeper than ${limits.maxMarkDepth}`, opAt);
        marks.push(stack.length);
        break;
      case OP.POP:
        pop();
        break;
      case OP.POP_MARK:
        popMark();
        break;
      case OP.NONE:
        push(null);
        break;
      case OP.NEWTRUE:
        push(true);
        break;
      case OP.NEWFALSE:
        push(false);
        break;
      case OP.BININT:
        push(view.getInt32(need(4), true));
        break;
      case OP.BININT1:
        push(u8());
        break;
      case OP.BININT2:
        push(u16());
        break;
      case OP.LONG1:
        push(long(u8()));
        break;
      case OP.LONG4:
        push(long(u32()));
        break;
      case OP.BINFLOAT:
        push(view.getFloat64(need(8), false));
        break;
      case OP.SHORT_BINUNICODE:
        push(text(u8()));
        break;
      case OP.BINUNICODE:
        push(text(u32()));
        break;
      case OP.BINUNICODE8:
        push(text(u64()));
        break;
      case OP.SHORT_BINBYTES:
        push(new Uint8Array(bytes(u8())));
        break;
      case OP.BINBYTES:
        push(new Uint8Array(bytes(u32())));
        break;
      case OP.BINBYTES8:
        push(new Uint8Array(bytes(u64())));
        break;
      case OP.EMPTY_DICT:
        push(new PyDict());
        break;
      case OP.DICT: {
        const dict = new PyDict();
        setItems(dict, popMark());
        push(dict);
        break;
      }
      case OP.EMPTY_LIST:
        push([]);
        break;
      case OP.LIST:
        push(popMark());
        break;
      case OP.EMPTY_TUPLE:
        push(new PyTuple([]));
        break;
      case OP.TUPLE:
        push(new PyTuple(popMark()));
        break;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const items: PyValue[] = [];
        for (let n = op - OP.TUPLE1 + 1; n > 0; n--) items.unshift(pop());
        push(new PyTuple(items));
        break;
      }
      case OP.APPEND: {
        const item = pop();
        asList(top(), 'APPEND').push(item);
        break;
      }
      case OP.APPENDS: {
        const items = popMark();
        const list = asList(top(), 'APPENDS');
        for (const item of items) list.push(item);
        break;
      }
      case OP.SETITEM: {
        const value = pop();
        const key = pop();
        asDict(top(), 'SETITEM').items.set(key, value);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark();
        setItems(asDict(top(), 'SETITEMS'), items);
        break;
      }
      case OP.BINPUT:
        put(u8());
        break;
      case OP.LONG_BINPUT:
        put(u32());
        break;
      case OP.MEMOIZE:
        put(memo.size);
        break;
      case OP.BINGET:
        push(get(u8()));
        break;
      case OP.LONG_BINGET:
        push(get(u32()));
        break;
      case OP.GLOBAL: {
        const module = line();
        push(hooks.global(module, line()));
        break;
      }
      case OP.STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw corrupt('STACK_GLOBAL needs two strings', opAt);
        push(hooks.global(module, name));
        break;
      }
      case OP.REDUCE: {
        const args = pop();
        push(call(pop(), args));
        break;
      }
      case OP.BUILD: {
        const state = pop();
        hooks.build(top(), state);
        break;
      }
      case OP.BINPERSID:
        push(hooks.persistentLoad(pop()));
        break;
      case OP.PERSID:
        push(hooks.persistentLoad(line()));
        break;
      case OP.DUP:
        push(top());
        break;
      case OP.INT: {
        const value = line();
        push(value === '01' ? true : value === '00' ? false : textInt(value));
        break;
      }
      case OP.LONG:
        push(textInt(line()));
        break;
      case OP.FLOAT: {
        const value = Number(line());
        if (Number.isNaN(value)) throw corrupt('FLOAT is not a number', opAt);
        push(value);
        break;
      }
      case OP.STRING: {
        const quoted = line();
        if (quoted.length < 2 || quoted[0] !== quoted[quoted.length - 1] || !`'"`.includes(quoted[0]!)) throw corrupt('STRING is not quoted', opAt);
        push(quoted.slice(1, -1)); // escapes are kept as written: only metadata of old checkpoints uses it
        break;
      }
      case OP.BINSTRING:
        push(latin1(bytes(view.getInt32(need(4), true))));
        break;
      case OP.SHORT_BINSTRING:
        push(latin1(bytes(u8())));
        break;
      case OP.UNICODE: {
        // raw-unicode-escape: bytes below 256 as themselves, the rest as \uXXXX / \UXXXXXXXX
        const end = data.indexOf(0x0a, pos);
        if (end < 0) throw corrupt('text opcode without a newline', opAt);
        const raw = latin1(bytes(end - pos));
        pos += 1;
        push(
          raw.replace(/\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/g, (_, u4: string | undefined, u8: string | undefined) =>
            String.fromCodePoint(parseInt(u4 ?? u8!, 16)),
          ),
        );
        break;
      }
      case OP.BYTEARRAY8:
        push(new Uint8Array(bytes(u64())));
        break;
      case OP.GET:
        push(get(Number(textInt(line()))));
        break;
      case OP.PUT:
        put(Number(textInt(line())));
        break;
      case OP.EMPTY_SET:
        push(new PySet(false));
        break;
      case OP.ADDITEMS: {
        const items = popMark();
        asSet(top()).push(...items);
        break;
      }
      case OP.FROZENSET: {
        const set = new PySet(true);
        set.items.push(...popMark());
        push(set);
        break;
      }
      case OP.NEWOBJ: {
        const args = pop();
        push(call(pop(), args));
        break;
      }
      case OP.NEWOBJ_EX: {
        const kwargs = pop();
        const args = pop();
        push(call(pop(), args, kwargs));
        break;
      }
      case OP.OBJ: {
        const [cls, ...args] = popMark();
        if (cls === undefined) throw corrupt('OBJ without a class', opAt);
        push(call(cls, new PyTuple(args)));
        break;
      }
      case OP.INST: {
        const module = line();
        const cls = hooks.global(module, line());
        push(call(cls, new PyTuple(popMark())));
        break;
      }
      case OP.EXT1:
        push(hooks.extension(u8()));
        break;
      case OP.EXT2:
        push(hooks.extension(u16()));
        break;
      case OP.EXT4:
        push(hooks.extension(view.getInt32(need(4), true)));
        break;
      default:
        throw new CheckpointError(
          'E2V_ERR_CHECKPOINT_PICKLE_OPCODE',
          `unsupported pickle opcode ${opcodeName(op)} at byte ${opAt}${op === 0x97 || op === 0x98 ? ': out-of-band buffers cannot come from a file' : ''}`,
        );
    }
  }
}
