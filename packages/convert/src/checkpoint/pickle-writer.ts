/**
 * Emits pickle protocol 2 opcodes, the way torch.save's pickler does for a
 * state dict: memoized globals, BINUNICODE strings, the smallest integer
 * opcode that fits.
 * @module
 */
import { OP } from './opcodes.js';

/** Plain data a pickle can hold without globals: integers (JS integers), floats (other numbers), strings, lists, dicts. */
export type PlainValue = null | boolean | number | string | readonly PlainValue[] | { readonly [key: string]: PlainValue };

/** Items per MARK ... SETITEMS / APPENDS batch, as Python's pickler batches them. */
const BATCH = 1000;

/** Builds a pickle program in memory (metadata only: tensor data lives in separate zip entries). */
export class PickleWriter {
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

  /** Plain data: None, bools, ints (JS integers), floats, strings, lists and dicts with string keys. */
  value(value: PlainValue): this {
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
    return this.setItems(Object.entries(value as { readonly [key: string]: PlainValue }), (item) => this.value(item));
  }

  /** Ends the program with STOP and returns its bytes. */
  finish(): Uint8Array {
    this.op(OP.STOP);
    return Buffer.concat(this.#chunks);
  }
}
