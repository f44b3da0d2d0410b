/**
 * Emits pickle protocol 2 opcodes, the way torch.save's pickler does for a
 * state dict: memoized globals, BINUNICODE strings, the smallest integer
 * opcode that fits.
 * @module
 */
import { OP } from './opcodes.js';

/** Plain data a pickle can hold without globals: integers (JS integers), floats (other numbers), strings, lists, dicts. */
export type PlainValue = null | boolean | number | string | readonly PlainValue[] | { readonly [key: string]: PlainValue };

/** What a {@link PickleNode} writes. */
export type PickleNodeSpec =
  | { readonly kind: 'tuple'; readonly items: readonly PickleValue[] }
  /** a dict with keys of any kind (plain objects have string keys only) */
  | { readonly kind: 'dict'; readonly items: readonly (readonly [PickleValue, PickleValue])[] }
  /** bytes as protocol 2 writes them: `_codecs.encode(latin1 text, 'latin1')` */
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'global'; readonly module: string; readonly name: string }
  /**
   * `callable(*args)` (REDUCE, or NEWOBJ for `cls.__new__`), then SETITEMS of `dictItems`,
   * APPENDS of `listItems` and BUILD with `state`, as pickle writes an object
   */
  | {
      readonly kind: 'call';
      readonly callable: PickleValue;
      readonly args: readonly PickleValue[];
      readonly newobj?: boolean;
      readonly dictItems?: readonly (readonly [PickleValue, PickleValue])[];
      readonly listItems?: readonly PickleValue[];
      readonly state?: PickleValue;
    }
  /** a tensor of the checkpoint, by name (see `saveCheckpoint`) */
  | { readonly kind: 'tensor'; readonly name: string };

/** A Python value plain data cannot express: tuples, bytes, globals, objects, tensors. */
export class PickleNode {
  /** @param spec what to write */
  constructor(readonly spec: PickleNodeSpec) {}
}

/** Plain data with {@link PickleNode}s anywhere inside. */
export type PickleValue = null | boolean | number | string | PickleNode | readonly PickleValue[] | { readonly [key: string]: PickleValue };

/** Builders of {@link PickleNode}s, e.g. `py.call(py.global('argparse', 'Namespace'), [], { newobj: true, state: { lr: 0.1 } })`. */
export const py = {
  tuple: (...items: PickleValue[]): PickleNode => new PickleNode({ kind: 'tuple', items }),
  dict: (items: readonly (readonly [PickleValue, PickleValue])[]): PickleNode => new PickleNode({ kind: 'dict', items }),
  bytes: (bytes: Uint8Array): PickleNode => new PickleNode({ kind: 'bytes', bytes }),
  global: (module: string, name: string): PickleNode => new PickleNode({ kind: 'global', module, name }),
  call: (
    callable: PickleValue,
    args: readonly PickleValue[],
    more: Omit<Extract<PickleNodeSpec, { kind: 'call' }>, 'kind' | 'callable' | 'args'> = {},
  ): PickleNode => new PickleNode({ kind: 'call', callable, args, ...more }),
  tensor: (name: string): PickleNode => new PickleNode({ kind: 'tensor', name }),
};

/** Items per MARK ... SETITEMS / APPENDS batch, as Python's pickler batches them. */
const BATCH = 1000;

/** Builds a pickle program in memory (metadata only: tensor data lives in separate zip entries). */
export class PickleWriter {
  /** Writes a `py.tensor(name)` node (set by the torch writer, which knows the storages). */
  tensorWriter: ((name: string) => void) | undefined;
  readonly #chunks: Uint8Array[] = [];
  readonly #memo = new Map<string, number>();
  readonly #encoder = new TextEncoder();

  /** Appends raw opcode bytes. */
  op(...codes: number[]): this {
    this.#chunks.push(Uint8Array.from(codes));
    return this;
  }

  #withU32(code: number, value: number): this {
    const bytes = new Uint8Array(5);
    bytes[0] = code;
    new DataView(bytes.buffer).setUint32(1, value, true);
    this.#chunks.push(bytes);
    return this;
  }

  /** Integer: BININT1, BININT2, BININT or LONG1. */
  int(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`Expected a safe integer for a pickle int but received ${value}`);
    if (value >= 0 && value < 0x100) return this.op(OP.BININT1, value);
    if (value >= 0 && value < 0x10000) return this.op(OP.BININT2, value & 0xff, value >> 8);
    if (value >= -0x80000000 && value < 0x80000000) return this.#withU32(OP.BININT, value >>> 0);
    let rest = BigInt(value);
    const bytes: number[] = [];
    do {
      bytes.push(Number(rest & 0xffn));
      rest >>= 8n;
    } while (!((rest === 0n && (bytes[bytes.length - 1]! & 0x80) === 0) || (rest === -1n && (bytes[bytes.length - 1]! & 0x80) !== 0)));
    return this.op(OP.LONG1, bytes.length, ...bytes);
  }

  /** Float: BINFLOAT (big-endian double). */
  float(value: number): this {
    const bytes = new Uint8Array(9);
    bytes[0] = OP.BINFLOAT;
    new DataView(bytes.buffer).setFloat64(1, value, false);
    this.#chunks.push(bytes);
    return this;
  }

  /** String: BINUNICODE. */
  str(value: string): this {
    const text = this.#encoder.encode(value);
    this.#withU32(OP.BINUNICODE, text.length);
    this.#chunks.push(text);
    return this;
  }

  /**
   * Emits something once and memoizes it; later calls with the same key emit a BINGET.
   * @param key memo key
   * @param emit writes the value on first use
   */
  memoized(key: string, emit: () => void): this {
    const index = this.#memo.get(key);
    if (index !== undefined) return index < 0x100 ? this.op(OP.BINGET, index) : this.#withU32(OP.LONG_BINGET, index);
    emit();
    const next = this.#memo.size;
    this.#memo.set(key, next);
    return next < 0x100 ? this.op(OP.BINPUT, next) : this.#withU32(OP.LONG_BINPUT, next);
  }

  /** GLOBAL `module.name`, memoized. */
  global(module: string, name: string): this {
    return this.memoized(`global:${module}.${name}`, () => {
      this.op(OP.GLOBAL);
      this.#chunks.push(this.#encoder.encode(`${module}\n${name}\n`));
    });
  }

  /** A tuple of the items `emit` writes (`count` of them). */
  tuple(count: number, emit: () => void): this {
    if (count === 0) return this.op(OP.EMPTY_TUPLE);
    if (count > 3) this.op(OP.MARK);
    emit();
    return this.op(count > 3 ? OP.TUPLE : OP.TUPLE1 + count - 1);
  }

  /** A tuple of integers (shapes, strides). */
  intTuple(values: readonly number[]): this {
    return this.tuple(values.length, () => values.forEach((v) => this.int(v)));
  }

  /**
   * SETITEMS in batches onto the dict on top of the stack.
   * @param entries key/value pairs; `emit` writes each value
   */
  setItems<T>(entries: readonly (readonly [string, T])[], emit: (value: T) => void): this {
    for (let start = 0; start < entries.length; start += BATCH) {
      this.op(OP.MARK);
      for (const [key, value] of entries.slice(start, start + BATCH)) {
        this.str(key);
        emit(value);
      }
      this.op(OP.SETITEMS);
    }
    return this;
  }

  /** Plain data (None, bools, ints, floats, strings, lists, dicts with string keys) and {@link PickleNode}s. */
  value(value: PickleValue): this {
    if (value instanceof PickleNode) return this.#node(value.spec);
    if (value === null) return this.op(OP.NONE);
    if (typeof value === 'boolean') return this.op(value ? OP.NEWTRUE : OP.NEWFALSE);
    if (typeof value === 'number') return Number.isSafeInteger(value) ? this.int(value) : this.float(value);
    if (typeof value === 'string') return this.str(value);
    if (Array.isArray(value)) {
      this.op(OP.EMPTY_LIST);
      for (let start = 0; start < value.length; start += BATCH) {
        this.op(OP.MARK);
        for (const item of value.slice(start, start + BATCH)) this.value(item);
        this.op(OP.APPENDS);
      }
      return this;
    }
    this.op(OP.EMPTY_DICT);
    return this.setItems(Object.entries(value as { readonly [key: string]: PickleValue }), (item) => this.value(item));
  }

  #pairs(items: readonly (readonly [PickleValue, PickleValue])[]): this {
    for (let start = 0; start < items.length; start += BATCH) {
      this.op(OP.MARK);
      for (const [key, item] of items.slice(start, start + BATCH)) this.value(key).value(item);
      this.op(OP.SETITEMS);
    }
    return this;
  }

  #node(spec: PickleNodeSpec): this {
    switch (spec.kind) {
      case 'tuple':
        return this.tuple(spec.items.length, () => spec.items.forEach((item) => this.value(item)));
      case 'dict':
        this.op(OP.EMPTY_DICT);
        return this.#pairs(spec.items);
      case 'bytes':
        this.global('_codecs', 'encode');
        return this.tuple(2, () => {
          this.str(String.fromCharCode(...spec.bytes));
          this.str('latin1');
        }).op(OP.REDUCE);
      case 'global':
        return this.global(spec.module, spec.name);
      case 'tensor':
        if (this.tensorWriter === undefined) throw new RangeError(`Expected a checkpoint writer for tensor ${spec.name}`);
        this.tensorWriter(spec.name);
        return this;
      case 'call': {
        this.value(spec.callable);
        this.tuple(spec.args.length, () => spec.args.forEach((arg) => this.value(arg)));
        this.op(spec.newobj === true ? OP.NEWOBJ : OP.REDUCE);
        this.#pairs(spec.dictItems ?? []);
        if (spec.listItems !== undefined && spec.listItems.length > 0) {
          this.op(OP.MARK);
          for (const item of spec.listItems) this.value(item);
          this.op(OP.APPENDS);
        }
        if (spec.state !== undefined) this.value(spec.state).op(OP.BUILD);
        return this;
      }
    }
  }

  /** Ends the program with STOP and returns its bytes. */
  finish(): Uint8Array {
    this.op(OP.STOP);
    return Buffer.concat(this.#chunks);
  }
}
