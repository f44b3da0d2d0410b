import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { OP } from './opcodes.js';
import { PICKLE_LIMITS, PyDict, PyInert, PyObject, type PySet, PyTuple, type PyValue, type UnpickleHooks, unpickle } from './pickle.js';
import { PickleWriter, type PlainValue } from './pickle-writer.js';

/** Pickle bytes from opcode bytes, latin1 strings and raw byte arrays. */
function p(...parts: (number | string | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') out.push(part);
    else if (typeof part === 'string') for (const ch of part) out.push(ch.charCodeAt(0));
    else for (const byte of part) out.push(byte);
  }
  return Uint8Array.from(out);
}
const u32 = (n: number): Uint8Array => new Uint8Array(Uint32Array.of(n).buffer);
const u64 = (n: number): Uint8Array => new Uint8Array(BigUint64Array.of(BigInt(n)).buffer);
const f64be = (x: number): Uint8Array => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, x, false);
  return bytes;
};

class Called extends PyObject {
  constructor(
    readonly what: string,
    readonly args: readonly PyValue[],
  ) {
    super();
  }
}

/** Hooks that record what they are asked and allow `test.fn` only. */
function recordingHooks(): UnpickleHooks & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    global(module, name) {
      log.push(`global ${module}.${name}`);
      if (`${module}.${name}` !== 'test.fn') throw new Error(`refused ${module}.${name}`);
      return new Called('fn', []);
    },
    reduce(callable, args, kwargs) {
      log.push(kwargs === undefined ? 'reduce' : `reduce with ${kwargs.items.size} kwargs`);
      return new Called('result', [callable, ...args.items]);
    },
    extension(code) {
      log.push(`extension ${code}`);
      return new Called('extension', [code]);
    },
    build(target, state) {
      log.push(`build ${String(state)}`);
      if (!(target instanceof Called)) throw new Error('bad build');
    },
    persistentLoad(pid) {
      log.push('persid');
      return new Called('persistent', [pid]);
    },
  };
}

const run = (...parts: (number | string | Uint8Array)[]): PyValue => unpickle(p(OP.PROTO, 2, ...parts, OP.STOP), recordingHooks());

describe('unpickle', () => {
  it('should decode scalars', () => {
    const items = run(
      OP.EMPTY_LIST,
      OP.MARK,
      OP.NONE,
      OP.NEWTRUE,
      OP.NEWFALSE,
      OP.BININT1,
      200,
      OP.BININT2,
      0x34,
      0x12,
      OP.BININT,
      0xfe,
      0xff,
      0xff,
      0xff,
      OP.LONG1,
      0,
      OP.LONG1,
      2,
      0x00,
      0x80,
      OP.LONG1,
      3,
      0x00,
      0x80,
      0x00,
      OP.LONG1,
      1,
      0xff,
      OP.LONG1,
      9,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      OP.LONG4,
      u32(2),
      0xff,
      0x7f,
      OP.BINFLOAT,
      f64be(-1.5),
      OP.SHORT_BINUNICODE,
      2,
      'hi',
      OP.BINUNICODE,
      u32(6),
      p(0xe7, 0x94, 0x9f, 0xe6, 0xb0, 0x94),
      OP.BINUNICODE8,
      u64(1),
      'x',
      OP.SHORT_BINBYTES,
      2,
      p(1, 2),
      OP.BINBYTES,
      u32(1),
      p(3),
      OP.BINBYTES8,
      u64(0),
      OP.APPENDS,
    );
    expect(items).toEqual([
      null,
      true,
      false,
      200,
      0x1234,
      -2,
      0,
      -32768,
      32768,
      -1,
      2n ** 64n,
      32767,
      -1.5,
      'hi',
      '生气',
      'x',
      Uint8Array.of(1, 2),
      Uint8Array.of(3),
      new Uint8Array(0),
    ]);
  });

  it('should build tuples, lists and dicts', () => {
    const value = run(
      OP.EMPTY_DICT,
      OP.MARK,
      OP.BININT1,
      1,
      OP.EMPTY_TUPLE,
      OP.BININT1,
      2,
      OP.BININT1,
      7,
      OP.TUPLE1,
      OP.BININT1,
      3,
      OP.BININT1,
      7,
      OP.BININT1,
      8,
      OP.TUPLE2,
      OP.BININT1,
      4,
      OP.BININT1,
      7,
      OP.BININT1,
      8,
      OP.BININT1,
      9,
      OP.TUPLE3,
      OP.BININT1,
      5,
      OP.MARK,
      OP.BININT1,
      1,
      OP.BININT1,
      2,
      OP.BININT1,
      3,
      OP.BININT1,
      4,
      OP.TUPLE,
      OP.SETITEMS,
      OP.BININT1,
      6,
      OP.MARK,
      OP.NONE,
      OP.LIST,
      OP.SETITEM,
      OP.BININT1,
      7,
      OP.MARK,
      OP.SHORT_BINUNICODE,
      1,
      'k',
      OP.NONE,
      OP.DICT,
      OP.SETITEM,
      OP.BININT1,
      8,
      OP.EMPTY_LIST,
      OP.NEWTRUE,
      OP.APPEND,
      OP.SETITEM,
    ) as PyDict;
    const plain = [...value.items].map(([k, v]) => [k, v instanceof PyTuple ? v.items : v instanceof PyDict ? [...v.items] : v]);
    expect(plain).toEqual([
      [1, []],
      [2, [7]],
      [3, [7, 8]],
      [4, [7, 8, 9]],
      [5, [1, 2, 3, 4]],
      [6, [null]],
      [7, [['k', null]]],
      [8, [true]],
    ]);
  });

  it('should share memoized objects and support every memo opcode', () => {
    const value = run(
      OP.EMPTY_LIST,
      OP.BINPUT,
      0,
      OP.POP,
      OP.EMPTY_DICT,
      OP.LONG_BINPUT,
      u32(300),
      OP.POP,
      OP.FRAME,
      u64(0),
      OP.EMPTY_TUPLE,
      OP.MEMOIZE,
      OP.POP,
      OP.MARK,
      OP.BINGET,
      0,
      OP.BINGET,
      0,
      OP.LONG_BINGET,
      u32(300),
      OP.BINGET,
      2,
      OP.NONE,
      OP.NONE,
      OP.POP_MARK,
      OP.MARK,
      OP.BINGET,
      0,
      OP.BINGET,
      0,
      OP.LONG_BINGET,
      u32(300),
      OP.BINGET,
      2,
      OP.TUPLE,
    ) as PyTuple;
    const [a, b, c, d] = value.items;
    expect(a).toBe(b);
    expect(c).toBeInstanceOf(PyDict);
    expect(d).toBeInstanceOf(PyTuple);
  });

  it('should hand GLOBAL, STACK_GLOBAL, REDUCE, BUILD and BINPERSID to the hooks', () => {
    const hooks = recordingHooks();
    const value = unpickle(
      p(
        OP.PROTO,
        4,
        OP.GLOBAL,
        'test\nfn\n',
        OP.BININT1,
        5,
        OP.TUPLE1,
        OP.REDUCE,
        OP.NONE,
        OP.BUILD,
        OP.SHORT_BINUNICODE,
        4,
        'test',
        OP.SHORT_BINUNICODE,
        2,
        'fn',
        OP.STACK_GLOBAL,
        OP.POP,
        OP.SHORT_BINUNICODE,
        3,
        'pid',
        OP.BINPERSID,
        OP.TUPLE2,
        OP.STOP,
      ),
      hooks,
    ) as PyTuple;
    expect(hooks.log).toEqual(['global test.fn', 'reduce', 'build null', 'global test.fn', 'persid']);
    const [result, persistent] = value.items as [Called, Called];
    expect(result.what).toBe('result');
    expect(result.args[1]).toBe(5);
    expect(persistent.args).toEqual(['pid']);
  });

  it('should read the text and object opcodes of protocols 0 and 1', () => {
    const hooks = recordingHooks();
    const value = unpickle(
      p(
        OP.MARK,
        OP.INT,
        '01\n',
        OP.INT,
        '-42\n',
        OP.LONG,
        '123456789012345678901234567890L\n',
        OP.FLOAT,
        '0.25\n',
        OP.STRING,
        "'py2 str'\n",
        OP.UNICODE,
        'caf\\u00e9\n',
        OP.SHORT_BINSTRING,
        2,
        p(0x61, 0xe9),
        OP.BINSTRING,
        u32(1),
        'z',
        OP.PUT,
        '5\n',
        OP.GET,
        '5\n',
        OP.DUP,
        OP.POP,
        OP.PERSID,
        'key\n',
        OP.MARK,
        OP.BININT1,
        1,
        OP.INST,
        'test\nfn\n',
        OP.MARK,
        OP.GLOBAL,
        'test\nfn\n',
        OP.BININT1,
        2,
        OP.OBJ,
        OP.TUPLE,
        OP.STOP,
      ),
      hooks,
    ) as PyTuple;
    const [flag, int, long, float, str, unicode, short, bin, got, persistent, inst, obj] = value.items as [
      boolean,
      number,
      bigint,
      number,
      string,
      string,
      string,
      string,
      string,
      Called,
      Called,
      Called,
    ];
    expect([flag, int, long, float, str, unicode, short, bin, got]).toEqual([
      true,
      -42,
      123456789012345678901234567890n,
      0.25,
      'py2 str',
      'café',
      'aé',
      'z',
      'z',
    ]);
    expect(persistent.args).toEqual(['key']);
    expect(inst.args.slice(1)).toEqual([1]);
    expect(obj.args.slice(1)).toEqual([2]);
    expect(hooks.log).toEqual(['persid', 'global test.fn', 'reduce', 'global test.fn', 'reduce']);
  });

  it('should read sets, byte arrays, NEWOBJ, NEWOBJ_EX and extension codes', () => {
    const hooks = recordingHooks();
    const value = unpickle(
      p(
        OP.PROTO,
        5,
        OP.MARK,
        OP.EMPTY_SET,
        OP.MARK,
        OP.BININT1,
        1,
        OP.BININT1,
        2,
        OP.ADDITEMS,
        OP.MARK,
        OP.BININT1,
        3,
        OP.FROZENSET,
        OP.BYTEARRAY8,
        u64(2),
        p(9, 8),
        OP.GLOBAL,
        'test\nfn\n',
        OP.EMPTY_TUPLE,
        OP.NEWOBJ,
        OP.GLOBAL,
        'test\nfn\n',
        OP.EMPTY_TUPLE,
        OP.EMPTY_DICT,
        OP.SHORT_BINUNICODE,
        1,
        'k',
        OP.NONE,
        OP.SETITEM,
        OP.NEWOBJ_EX,
        OP.EXT1,
        7,
        OP.EXT2,
        0x34,
        0x12,
        OP.EXT4,
        u32(0x10000),
        OP.TUPLE,
        OP.STOP,
      ),
      hooks,
    ) as PyTuple;
    const [set, frozen, bytes] = value.items as [PySet, PySet, Uint8Array];
    expect(set).toMatchObject({ frozen: false, items: [1, 2] });
    expect(frozen).toMatchObject({ frozen: true, items: [3] });
    expect(bytes).toEqual(Uint8Array.of(9, 8));
    expect(hooks.log).toEqual(['global test.fn', 'reduce', 'global test.fn', 'reduce with 1 kwargs', 'extension 7', 'extension 4660', 'extension 65536']);
  });

  it('should collect SETITEMS, APPENDS and ADDITEMS into an inert object', () => {
    const inert = new PyInert(null, []);
    const hooks: UnpickleHooks = { ...recordingHooks(), reduce: () => inert };
    unpickle(
      p(
        OP.PROTO,
        2,
        OP.GLOBAL,
        'test\nfn\n',
        OP.EMPTY_TUPLE,
        OP.REDUCE,
        OP.MARK,
        OP.BININT1,
        1,
        OP.BININT1,
        2,
        OP.SETITEMS,
        OP.MARK,
        OP.BININT1,
        3,
        OP.APPENDS,
        OP.BININT1,
        4,
        OP.APPEND,
        OP.STOP,
      ),
      hooks,
    );
    expect([...inert.dict.items]).toEqual([[1, 2]]);
    expect(inert.list).toEqual([3, 4]);
  });

  it('should read back what PickleWriter writes', () => {
    const ints = [
      0,
      1,
      255,
      256,
      65535,
      65536,
      -1,
      -129,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 40,
      -(2 ** 40),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ];
    const plain: PlainValue = { ints, floats: [0.5, -1e-5, 1e300], text: ['', '生气/angry'], flags: [true, false, null], nested: { a: [{ b: [] }] } };
    const bytes = new PickleWriter().op(OP.PROTO, 2).value(plain).finish();
    const toPlain = (v: PyValue): unknown =>
      v instanceof PyDict ? Object.fromEntries([...v.items].map(([k, x]) => [k, toPlain(x)])) : Array.isArray(v) ? v.map(toPlain) : v;
    expect(toPlain(unpickle(bytes, recordingHooks()))).toEqual(plain);
    const many = Array.from({ length: 2500 }, (_, i) => i);
    expect(unpickle(new PickleWriter().op(OP.PROTO, 2).value(many).finish(), recordingHooks())).toEqual(many);
  });

  describe('EXPECTED FAILURE', () => {
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['a byte that is no opcode', p(OP.PROTO, 2, 0xff), 'E2V_ERR_CHECKPOINT_PICKLE_OPCODE', /0xff \(not a pickle opcode\)/],
      [
        'an out-of-band buffer',
        p(OP.PROTO, 5, 0x97),
        'E2V_ERR_CHECKPOINT_PICKLE_OPCODE',
        /NEXT_BUFFER \(0x97\) at byte 2: out-of-band buffers cannot come from a file/,
      ],
      [
        'NEWOBJ_EX with non-dict keywords',
        p(OP.PROTO, 4, OP.NONE, OP.EMPTY_TUPLE, OP.NONE, OP.NEWOBJ_EX),
        'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT',
        /keyword arguments are not a dict/,
      ],
      ['OBJ without a class', p(OP.PROTO, 1, OP.MARK, OP.OBJ), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /OBJ without a class/],
      ['ADDITEMS to a frozenset', p(OP.PROTO, 4, OP.MARK, OP.FROZENSET, OP.MARK, OP.NONE, OP.ADDITEMS), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /not a set/],
      ['a text INT that is no number', p(OP.INT, '1x\n', OP.STOP), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /bad integer/],
      ['a truncated string', p(OP.PROTO, 2, OP.BINUNICODE, u32(100), 'abc'), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /truncated/],
      ['a huge BINUNICODE8 length', p(OP.PROTO, 2, OP.BINUNICODE8, u64(2 ** 52), 'a'), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /exceeds the pickle/],
      ['no STOP', p(OP.PROTO, 2, OP.NONE), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /truncated/],
      ['stack underflow', p(OP.PROTO, 2, OP.TUPLE2, OP.STOP), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /underflow/],
      ['popping through a MARK', p(OP.PROTO, 2, OP.NONE, OP.MARK, OP.POP), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /underflow/],
      ['a memo index never stored', p(OP.PROTO, 2, OP.BINGET, 7, OP.STOP), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /memo index 7/],
      ['values left at STOP', p(OP.PROTO, 2, OP.NONE, OP.NONE, OP.STOP), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /left on the stack/],
      ['SETITEMS without a MARK', p(OP.PROTO, 2, OP.EMPTY_DICT, OP.SETITEMS), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /no MARK/],
      ['an odd SETITEMS', p(OP.PROTO, 2, OP.EMPTY_DICT, OP.MARK, OP.NONE, OP.SETITEMS), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /odd/],
      ['APPEND to a dict', p(OP.PROTO, 2, OP.EMPTY_DICT, OP.NONE, OP.APPEND), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /not a list/],
      ['SETITEM on a list', p(OP.PROTO, 2, OP.EMPTY_LIST, OP.NONE, OP.NONE, OP.SETITEM), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /not a dict/],
      ['REDUCE with a non-tuple', p(OP.PROTO, 2, OP.NONE, OP.NONE, OP.REDUCE), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /not a tuple/],
      ['STACK_GLOBAL with non-strings', p(OP.PROTO, 4, OP.NONE, OP.NONE, OP.STACK_GLOBAL), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /two strings/],
      ['GLOBAL without newline', p(OP.PROTO, 2, OP.GLOBAL, 'os'), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /newline/],
      ['an unquoted STRING', p(OP.STRING, 'abc\n', OP.STOP), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /not quoted/],
      ['protocol 6', p(OP.PROTO, 6, OP.NONE, OP.STOP), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /protocol 6/],
      ['a 65-byte integer', p(OP.PROTO, 2, OP.LONG1, 65, new Uint8Array(65), OP.STOP), 'E2V_ERR_CHECKPOINT_TOO_LARGE', /65-byte integer/],
      [
        'deep nesting',
        p(OP.PROTO, 2, ...Array<number>(PICKLE_LIMITS.maxMarkDepth + 1).fill(OP.MARK)),
        'E2V_ERR_CHECKPOINT_TOO_LARGE',
        /nesting deeper than 1000/,
      ],
    ];
    it.each(cases)('should reject %s', (_, bytes, code, message) => {
      const attempt = (): unknown => unpickle(bytes, recordingHooks());
      expect(attempt).toThrow(CheckpointError);
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(expect.objectContaining({ code }));
    });

    it('should stop at the stack limit', () => {
      const bytes = p(OP.PROTO, 2, OP.MARK, ...Array<number>(11).fill(OP.NONE), OP.TUPLE, OP.STOP);
      const limits = { ...PICKLE_LIMITS, maxStack: 10 };
      expect(() => unpickle(bytes, recordingHooks(), limits)).toThrow(/more than 10 values on the stack/);
      expect(() => unpickle(bytes, recordingHooks(), limits)).toThrow(expect.objectContaining({ code: 'E2V_ERR_CHECKPOINT_TOO_LARGE' }));
      expect(unpickle(bytes, recordingHooks(), { ...limits, maxStack: 11 })).toBeInstanceOf(PyTuple);
    });
  });
});
