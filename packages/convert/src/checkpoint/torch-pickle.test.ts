import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { OP } from './opcodes.js';
import { PyDict } from './pickle.js';
import { PickleWriter } from './pickle-writer.js';
import { loadTorchPickle, TensorRecord } from './torch-pickle.js';
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
      pickle.global('collections', 'OrderedDict').tuple(0, () => {}).op(OP.REDUCE);
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
    const root = loadTorchPickle(pickle) as PyDict;
    const a = root.items.get('a') as TensorRecord;
    expect(a).toBeInstanceOf(TensorRecord);
    expect(a).toMatchObject({ offset: 2, shape: [2, 5], stride: [5, 1], storage: { dtype: 'float32', key: '0', numel: 12 } });
    expect(root.items.get('b')).toMatchObject({ shape: [3, 2], stride: [1, 3], storage: { dtype: 'float16', key: '1' } });
    expect(root.items.get('c')).toMatchObject({ shape: [], storage: { dtype: 'bfloat16', numel: 1 } });
  });

  it('should unwrap _rebuild_parameter and accept OrderedDict _metadata state', () => {
    const pickle = new PickleWriter().op(OP.PROTO, 2);
    pickle.global('collections', 'OrderedDict').tuple(0, () => {}).op(OP.REDUCE);
    pickle.op(OP.MARK).str('w');
    pickle.global('torch._utils', '_rebuild_parameter');
    pickle.tuple(3, () => {
      tensorCall(pickle);
      pickle.op(OP.NEWTRUE);
      pickle.global('collections', 'OrderedDict').tuple(0, () => {}).op(OP.REDUCE);
    });
    pickle.op(OP.REDUCE, OP.SETITEMS);
    pickle.value({ _metadata: { '': { version: 1 } } }).op(OP.BUILD); // what nn.Module.state_dict() pickles
    const root = loadTorchPickle(pickle.finish()) as PyDict;
    expect(root.items.get('w')).toMatchObject({ shape: [2], storage: { key: '0' } });
  });

  describe('EXPECTED FAILURE', () => {
    const refused = (module: string, name: string, stack = false): Uint8Array => {
      const pickle = new PickleWriter().op(OP.PROTO, 4);
      if (stack) pickle.str(module).str(name).op(OP.STACK_GLOBAL);
      else pickle.global(module, name);
      return pickle.tuple(1, () => pickle.str('echo owned')).op(OP.REDUCE).finish();
    };
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['os.system', refused('os', 'system'), 'E2V_ERR_CHECKPOINT_PICKLE_GLOBAL', /refers to os\.system, which is not allowed/],
      ['builtins.eval via STACK_GLOBAL', refused('builtins', 'eval', true), 'E2V_ERR_CHECKPOINT_PICKLE_GLOBAL', /builtins\.eval/],
      ['the legacy _rebuild_tensor', refused('torch._utils', '_rebuild_tensor'), 'E2V_ERR_CHECKPOINT_PICKLE_GLOBAL', /torch\._utils\._rebuild_tensor,/],
      ['a DoubleStorage', tensorCall(new PickleWriter().op(OP.PROTO, 2), 'DoubleStorage').finish(), 'E2V_ERR_CHECKPOINT_PICKLE_GLOBAL', /torch\.DoubleStorage/],
      [
        'OrderedDict called with arguments',
        new PickleWriter().op(OP.PROTO, 2).global('collections', 'OrderedDict').op(OP.EMPTY_LIST, OP.TUPLE1, OP.REDUCE).finish(),
        'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT',
        /OrderedDict called with arguments/,
      ],
      ['calling a storage type', new PickleWriter().op(OP.PROTO, 2).global('torch', 'FloatStorage').tuple(0, () => {}).op(OP.REDUCE).finish(), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /not a callable/],
      ['a bad persistent id', new PickleWriter().op(OP.PROTO, 2).str('storage').op(OP.BINPERSID).finish(), 'E2V_ERR_CHECKPOINT_PICKLE_CORRUPT', /persistent id/],
      [
        '_rebuild_tensor_v2 without a storage',
        new PickleWriter().op(OP.PROTO, 2).global('torch._utils', '_rebuild_tensor_v2').op(OP.MARK, OP.NONE, OP.NONE, OP.NONE, OP.NONE, OP.NONE, OP.NONE, OP.TUPLE, OP.REDUCE).finish(),
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
          for (const [name, tensor] of selectStateDict(loadTorchPickle(bytes))) checkTensorLayout(name, tensor, 48);
        } catch (error) {
          if (!(error instanceof CheckpointError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
