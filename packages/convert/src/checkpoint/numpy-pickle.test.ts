import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { numpyArray, numpyScalar } from '../synth/training-state.js';
import { NumpyArray } from './numpy-pickle.js';
import type { PyDict } from './pickle.js';
import { PickleWriter } from './pickle-writer.js';
import { OP } from './opcodes.js';
import { loadTorchPickle } from './torch-pickle.js';

const decode = (value: Parameters<PickleWriter['value']>[0]): ReturnType<typeof loadTorchPickle> =>
  loadTorchPickle(new PickleWriter().op(OP.PROTO, 2).value(value).finish());

describe('numpy values in a checkpoint', () => {
  it('should decode scalars of both module spellings to numbers, listing no ignored global', () => {
    const { root, ignoredGlobals } = decode({
      a: numpyScalar('f8', 0.1),
      b: numpyScalar('f4', 0.5, 'numpy._core'),
      c: numpyScalar('i8', -3),
      d: numpyScalar('i4', 7),
    });
    expect(Object.fromEntries((root as PyDict).items)).toEqual({ a: 0.1, b: 0.5, c: -3, d: 7 });
    expect(ignoredGlobals).toEqual([]);
  });

  it('should decode small arrays with their shape', () => {
    const array = decode(numpyArray('f4', [0.5, 1.5, -2])).root as NumpyArray;
    expect(array).toBeInstanceOf(NumpyArray);
    expect(array.shape).toEqual([3]);
    expect(array.values).toEqual([0.5, 1.5, -2]);
  });

  const hasNumpy = spawnSync('python3', ['-c', 'import numpy']).status === 0;
  it.skipIf(!hasNumpy)("should read what NumPy itself pickles (protocols 2-5, this machine's NumPy)", () => {
    const script = [
      'import base64, pickle, numpy as np',
      "value = {'f8': np.float64(0.25), 'f4': np.float32(0.5), 'i8': np.int64(-7), 'b': np.bool_(True),",
      "         'i4': np.array([1, 2, 3], dtype=np.int32), 'big': np.arange(4, dtype='>f8'), 'm': np.zeros((2, 3), dtype=np.float32)}",
      'for protocol in range(2, 6):',
      '    print(base64.b64encode(pickle.dumps(value, protocol=protocol)).decode())',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    for (const line of run.stdout.trim().split('\n')) {
      const { root, ignoredGlobals } = loadTorchPickle(Buffer.from(line, 'base64'));
      const items = (root as PyDict).items;
      expect([items.get('f8'), items.get('f4'), items.get('i8'), items.get('b')]).toEqual([0.25, 0.5, -7, true]);
      expect((items.get('i4') as NumpyArray).values).toEqual([1, 2, 3]);
      expect((items.get('big') as NumpyArray).values).toEqual([0, 1, 2, 3]);
      expect(items.get('m')).toMatchObject({ shape: [2, 3], values: [0, 0, 0, 0, 0, 0] });
      expect(ignoredGlobals).toEqual([]);
    }
  });
});
