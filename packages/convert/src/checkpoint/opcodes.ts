/**
 * Pickle opcodes: the byte values the reader and writer use, and the name of
 * every opcode of protocols 0-5 so errors can name what they refuse.
 * @module
 */

/** Opcodes the reader runs (every opcode of protocols 0-5 but out-of-band buffers), by name. */
export const OP = {
  MARK: 0x28, // (
  STOP: 0x2e, // .
  POP: 0x30, // 0
  POP_MARK: 0x31, // 1
  BINFLOAT: 0x47, // G
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  BININT2: 0x4d, // M
  NONE: 0x4e, // N
  BINPERSID: 0x51, // Q
  REDUCE: 0x52, // R
  BINUNICODE: 0x58, // X
  BINBYTES: 0x42, // B
  SHORT_BINBYTES: 0x43, // C
  EMPTY_LIST: 0x5d, // ]
  APPEND: 0x61, // a
  BUILD: 0x62, // b
  GLOBAL: 0x63, // c
  DICT: 0x64, // d
  APPENDS: 0x65, // e
  BINGET: 0x68, // h
  LONG_BINGET: 0x6a, // j
  LIST: 0x6c, // l
  BINPUT: 0x71, // q
  LONG_BINPUT: 0x72, // r
  SETITEM: 0x73, // s
  TUPLE: 0x74, // t
  SETITEMS: 0x75, // u
  EMPTY_TUPLE: 0x29, // )
  EMPTY_DICT: 0x7d, // }
  PROTO: 0x80,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
  DUP: 0x32, // 2
  FLOAT: 0x46, // F
  INT: 0x49, // I
  LONG: 0x4c, // L
  PERSID: 0x50, // P
  STRING: 0x53, // S
  BINSTRING: 0x54, // T
  SHORT_BINSTRING: 0x55, // U
  UNICODE: 0x56, // V
  GET: 0x67, // g
  INST: 0x69, // i
  OBJ: 0x6f, // o
  PUT: 0x70, // p
  NEWOBJ: 0x81,
  EXT1: 0x82,
  EXT2: 0x83,
  EXT4: 0x84,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  NEWOBJ_EX: 0x92,
  BYTEARRAY8: 0x96,
} as const;

/** Opcodes the reader refuses: out-of-band buffers, which a file cannot carry. */
const REFUSED: Readonly<Record<number, string>> = {
  151: 'NEXT_BUFFER',
  152: 'READONLY_BUFFER',
};

const NAMES = new Map<number, string>([
  ...Object.entries(OP).map(([name, code]): [number, string] => [code, name]),
  ...Object.entries(REFUSED).map(([code, name]): [number, string] => [Number(code), name]),
]);

/**
 * Names an opcode byte for messages, e.g. `INST (0x69)` or `0xff` for bytes
 * that are no pickle opcode at all.
 * @param code the opcode byte
 */
export function opcodeName(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  const name = NAMES.get(code);
  return name === undefined ? `${hex} (not a pickle opcode)` : `${name} (${hex})`;
}
