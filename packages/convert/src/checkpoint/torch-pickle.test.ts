import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { OP } from './opcodes.js';
import { PyDict, PyInert, type PySet, type PyTuple } from './pickle.js';
import { PickleWriter, py } from './pickle-writer.js';
import { loadTorchPickle, OpaqueGlobal, OpaqueTensor, TensorRecord } from './torch-pickle.js';
import { selectStateDict } from './state-dict.js';
import { checkTensorLayout } from './tensor-data.js';
import { buildTorchPickle } from './torch-pickle-writer.js';

/** `_rebuild_tensor_v2((storage, <type>, key, cpu, numel), 0, (n,), (1,), False, OrderedDict())` without a REDUCE's STOP. */
function tensorCall(pickle: PickleWriter, storageType = 'FloatStorage', n = 2): PickleWriter {
  pickle.global('torch._utils', '_rebuild_tensor_v2');
  return pickle
    .tuple(6, () => {
      pickle.tuple(5, () => pickle.str('storage').global('torch', storageType).str('0').str('cpu').int(n));
      pickle.op(OP.BINPERSID).int(0).intTuple([n]).intTuple([1]).op(OP.NEWFALSE);
      pickle
        .global('collections', 'OrderedDict')
        .tuple(0, () => {})
        .op(OP.REDUCE);
    })
    .op(OP.REDUCE);
}

describe('loadTorchPickle', () => {
  it('should describe tensors without reading data', () => {
    const pickle = buildTorchPickle(
      [
        ['a', { dtype: 'float32', key: '0', storageNumel: 12, offset: 2, shape: [2, 5], stride: [5, 1] }],
        ['b', { dtype: 'float16', key: '1', storageNumel: 6, offset: 0, shape: [3, 2], stride: [1, 3] }],
        ['c', { dtype: 'bfloat16', key: '2', storageNumel: 1, offset: 0, shape: [], stride: [] }],
      ],
      { layout: 'bare' },
    );
    const { root: top, ignoredGlobals } = loadTorchPickle(pickle);
    const root = top as PyDict;
    expect(ignoredGlobals).toEqual([]);
    const a = root.items.get('a') as TensorRecord;
    expect(a).toBeInstanceOf(TensorRecord);
    expect(a).toMatchObject({ offset: 2, shape: [2, 5], stride: [5, 1], storage: { dtype: 'float32', key: '0', numel: 12 } });
    expect(root.items.get('b')).toMatchObject({ shape: [3, 2], stride: [1, 3], storage: { dtype: 'float16', key: '1' } });
    expect(root.items.get('c')).toMatchObject({ shape: [], storage: { dtype: 'bfloat16', numel: 1 } });
  });

  it('should unwrap _rebuild_parameter and accept OrderedDict _metadata state', () => {
    const pickle = new PickleWriter().op(OP.PROTO, 2);
    pickle
      .global('collections', 'OrderedDict')
      .tuple(0, () => {})
      .op(OP.REDUCE);
    pickle.op(OP.MARK).str('w');
    pickle.global('torch._utils', '_rebuild_parameter');
    pickle.tuple(3, () => {
      tensorCall(pickle);
      pickle.op(OP.NEWTRUE);
      pickle
        .global('collections', 'OrderedDict')
        .tuple(0, () => {})
        .op(OP.REDUCE);
    });
    pickle.op(OP.REDUCE, OP.SETITEMS);
    pickle.value({ _metadata: { '': { version: 1 } } }).op(OP.BUILD); // what nn.Module.state_dict() pickles
    const root = loadTorchPickle(pickle.finish()).root as PyDict;
    expect(root.items.get('w')).toMatchObject({ shape: [2], storage: { key: '0' } });
  });

  describe('globals e2v does not know', () => {
    const inert = (module: string, name: string, stack = false): Uint8Array => {
      const pickle = new PickleWriter().op(OP.PROTO, 4);
      if (stack) pickle.str(module).str(name).op(OP.STACK_GLOBAL);
      else pickle.global(module, name);
      return pickle
        .tuple(1, () => pickle.str('touch /tmp/e2v-owned'))
        .op(OP.REDUCE)
        .finish();
    };
    it.each([
      ['os.system', inert('os', 'system'), 'os.system'],
      ['builtins.eval via STACK_GLOBAL', inert('builtins', 'eval', true), 'builtins.eval'],
      ['the legacy _rebuild_tensor', inert('torch._utils', '_rebuild_tensor'), 'torch._utils._rebuild_tensor'],
    ])('should leave %s inert: recorded, listed, never called', (_, bytes, qualifiedName) => {
      const { root, ignoredGlobals } = loadTorchPickle(bytes);
      expect(ignoredGlobals).toEqual([qualifiedName]);
      expect(root).toBeInstanceOf(PyInert);
      const call = root as PyInert;
      expect(call.callable).toBeInstanceOf(OpaqueGlobal);
      expect((call.callable as OpaqueGlobal).qualifiedName).toBe(qualifiedName);
      expect(call.args).toEqual(['touch /tmp/e2v-owned']);
    });

    it('should keep a tensor of an unread storage type as an opaque tensor', () => {
      const { root, ignoredGlobals } = loadTorchPickle(tensorCall(new PickleWriter().op(OP.PROTO, 2), 'DoubleStorage').finish());
      expect(root).toBeInstanceOf(OpaqueTensor);
      expect((root as OpaqueTensor).storage).toMatchObject({ type: 'torch.DoubleStorage', key: '0' });
      expect(ignoredGlobals).toEqual(['torch.DoubleStorage']);
    });

    it('should record what NEWOBJ, SETITEMS, APPENDS and BUILD give an object of an unknown class', () => {
      const pickle = new PickleWriter().op(OP.PROTO, 2);
      pickle.value(
        py.call(py.global('fairseq.meters', 'AverageMeter'), [1], {
          newobj: true,
          dictItems: [['k', 2]],
          listItems: [3, 4],
          state: { val: 0.5 },
        }),
      );
      const { root } = loadTorchPickle(pickle.finish());
      const obj = root as PyInert;
      expect(obj.args).toEqual([1]);
      expect([...obj.dict.items]).toEqual([['k', 2]]);
      expect(obj.list).toEqual([3, 4]);
      expect(obj.states).toHaveLength(1);
      expect([...(obj.states[0] as PyDict).items]).toEqual([['val', 0.5]]);
    });

    it('should take an OrderedDict of a list of pairs', () => {
      const pickle = new PickleWriter().op(OP.PROTO, 2);
      pickle.value(py.call(py.global('collections', 'OrderedDict'), [[py.tuple('a', 1), py.tuple('b', 2)]]));
      expect([...(loadTorchPickle(pickle.finish()).root as PyDict).items]).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
    });
  });

  describe('EXPECTED FAILURE', () => {
    const cases: [string, Uint8Array, string, RegExp][] = [
      [
        'OrderedDict called with something else than pairs',
        new PickleWriter().op(OP.PROTO, 2).global('collections', 'OrderedDict').op(OP.NONE, OP.TUPLE1, OP.REDUCE).finish(),
        'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT',
        /OrderedDict called with arguments other than a list of pairs/,
      ],
      [
        'calling a storage type',
        new PickleWriter()
          .op(OP.PROTO, 2)
          .global('torch', 'FloatStorage')
          .tuple(0, () => {})
          .op(OP.REDUCE)
          .finish(),
        'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT',
        /not a global/,
      ],
      [
        'calling a number',
        new PickleWriter()
          .op(OP.PROTO, 2)
          .int(3)
          .tuple(0, () => {})
          .op(OP.REDUCE)
          .finish(),
        'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT',
        /not a global/,
      ],
      [
        'a bad persistent id',
        new PickleWriter().op(OP.PROTO, 2).str('storage').op(OP.BINPERSID).finish(),
        'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT',
        /persistent id/,
      ],
      [
        '_rebuild_tensor_v2 without a storage',
        new PickleWriter()
          .op(OP.PROTO, 2)
          .global('torch._utils', '_rebuild_tensor_v2')
          .op(OP.MARK, OP.NONE, OP.NONE, OP.NONE, OP.NONE, OP.NONE, OP.NONE, OP.TUPLE, OP.REDUCE)
          .finish(),
        'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT',
        /without a persistent storage/,
      ],
      ['BUILD on a tensor', tensorCall(new PickleWriter().op(OP.PROTO, 2)).op(OP.EMPTY_DICT, OP.BUILD).finish(), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /BUILD/],
    ];
    it.each(cases)('should reject %s', (_, bytes, code, message) => {
      const attempt = (): unknown => loadTorchPickle(bytes);
      expect(attempt).toThrow(CheckpointError);
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(expect.objectContaining({ code }));
    });
  });

  it('should throw only typed errors on mutated pickles', () => {
    const original = buildTorchPickle(
      [
        ['d2v_model.a', { dtype: 'float32', key: '0', storageNumel: 12, offset: 2, shape: [2, 5], stride: [5, 1] }],
        ['proj.bias', { dtype: 'float16', key: '1', storageNumel: 3, offset: 0, shape: [3], stride: [1] }],
      ],
      { layout: 'fairseq', cfg: { model: { depth: 2, mlp_ratio: 4.5, name: 'x' } } },
    );
    const edits = fc.array(fc.tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(edits, fc.nat({ max: original.length }), (changes, cut) => {
        const bytes = original.slice(0, Math.max(cut, original.length - 8));
        for (const [at, value] of changes) if (at < bytes.length) bytes[at] = value;
        try {
          for (const [name, tensor] of selectStateDict(loadTorchPickle(bytes).root).tensors) checkTensorLayout(name, tensor, 48);
        } catch (error) {
          if (!(error instanceof CheckpointError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("Python's own pickles, protocols 0 to 5", () => {
  const hasPython = spawnSync('python3', ['--version']).status === 0;
  it.skipIf(!hasPython)('should read every protocol the same way, unknown classes left inert', () => {
    const script = [
      'import argparse, base64, pickle',
      "value = {'i': 1, 'neg': -7, 'big': 2**70, 'f': 1.5, 's': 'h\\u00e9llo', 'b': b'\\x00\\xff', 't': (1, 2), 'l': [1, [2]],",
      "         'set': {3}, 'fs': frozenset({4}), 'n': None, 'yes': True, 'ns': argparse.Namespace(lr=0.5)}",
      'for protocol in range(6):',
      '    print(base64.b64encode(pickle.dumps(value, protocol=protocol)).decode())',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    for (const [protocol, line] of lines.entries()) {
      const { root, ignoredGlobals } = loadTorchPickle(Buffer.from(line, 'base64'));
      const items = (root as PyDict).items;
      const plain = Object.fromEntries([...items].filter(([k]) => !['t', 'set', 'fs', 'ns'].includes(k as string)));
      expect(plain, `protocol ${protocol}`).toEqual({
        i: 1,
        neg: -7,
        big: 2n ** 70n,
        f: 1.5,
        s: 'héllo',
        b: Uint8Array.of(0, 255),
        l: [1, [2]],
        n: null,
        yes: true,
      });
      expect((items.get('t') as PyTuple).items).toEqual([1, 2]);
      expect((items.get('set') as PySet).items).toEqual([3]);
      expect((items.get('fs') as PySet).items).toEqual([4]);
      const ns = items.get('ns') as PyInert;
      expect(ns).toBeInstanceOf(PyInert);
      const state = ns.states[0] instanceof PyDict ? ns.states[0] : undefined;
      expect(state?.items.get('lr'), `protocol ${protocol}`).toBe(0.5);
      expect(
        ignoredGlobals.filter((g) => g.includes('Namespace')),
        `protocol ${protocol}`,
      ).toEqual(['argparse.Namespace']);
    }
  });
});
