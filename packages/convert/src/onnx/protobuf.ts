/**
 * A minimal Protocol Buffers wire-format writer: just what the ONNX messages
 * need (varints, 32-bit floats, length-delimited strings, bytes, sub-messages
 * and packed repeated scalars). Messages are built bottom-up: a sub-message is
 * a finished {@link ProtoWriter} whose bytes are appended with its length.
 * @module
 */

/** Protobuf wire types used here. */
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const UTF8 = new TextEncoder();
const TWO_POW_64 = 1n << 64n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Appends varint bytes of a non-negative bigint below 2^64 to `out`. */
function pushVarint(out: number[], value: bigint): void {
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/**
 * Varint bytes of an int64 / int32 / enum value. Negative values are written
 * as their 64-bit two's complement (10 bytes), as protobuf does for `int64`
 * and `int32` fields.
 * @throws RangeError for a non-integer or a value outside int64
 */
export function encodeVarint(value: number | bigint): Uint8Array {
  const out: number[] = [];
  pushVarint(out, toUint64(value));
  return Uint8Array.from(out);
}

function toUint64(value: number | bigint): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`Expected a safe integer for a protobuf varint but received ${value}`);
  }
  const v = BigInt(value);
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new RangeError(`Expected an int64 for a protobuf varint but received ${v}`);
  }
  return v < 0n ? v + TWO_POW_64 : v;
}

/** Accumulates the encoded fields of one message. */
export class ProtoWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  /** Encoded size in bytes so far. */
  get length(): number {
    return this.#length;
  }

  #push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }

  #key(field: number, wireType: number): number[] {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) {
      throw new RangeError(`Expected a protobuf field number in 1..2^29-1 but received ${field}`);
    }
    const out: number[] = [];
    pushVarint(out, BigInt(field * 8 + wireType));
    return out;
  }

  /** An `int64`, `int32`, `bool` or enum field (varint). */
  int(field: number, value: number | bigint): this {
    const out = this.#key(field, WIRE_VARINT);
    pushVarint(out, toUint64(value));
    this.#push(Uint8Array.from(out));
    return this;
  }

  /** A `float` field (fixed32, little-endian IEEE 754 single). */
  float(field: number, value: number): this {
    const key = this.#key(field, WIRE_FIXED32);
    const bytes = new Uint8Array(key.length + 4);
    bytes.set(key);
    new DataView(bytes.buffer).setFloat32(key.length, value, true);
    this.#push(bytes);
    return this;
  }

  /** A `bytes` field. The array is referenced, not copied, until {@link finish}. */
  bytes(field: number, value: Uint8Array): this {
    const key = this.#key(field, WIRE_LENGTH_DELIMITED);
    pushVarint(key, BigInt(value.length));
    this.#push(Uint8Array.from(key));
    this.#push(value);
    return this;
  }

  /** A `string` field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, UTF8.encode(value));
  }

  /** A sub-message field. */
  message(field: number, value: ProtoWriter): this {
    const key = this.#key(field, WIRE_LENGTH_DELIMITED);
    pushVarint(key, BigInt(value.length));
    this.#push(Uint8Array.from(key));
    for (const part of value.#parts) this.#push(part);
    return this;
  }

  /** A packed repeated `int64` / `int32` field (nothing is written for an empty list). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const body: number[] = [];
    for (const v of values) pushVarint(body, toUint64(v));
    return this.bytes(field, Uint8Array.from(body));
  }

  /** A packed repeated `float` field (nothing is written for an empty list). */
  packedFloats(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const body = new Uint8Array(values.length * 4);
    const view = new DataView(body.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, body);
  }

  /** The encoded message as one contiguous array. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const part of this.#parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
