/**
 * The two ONNX models @e2v/benchkit times to measure a CPU's peak sgemm (its
 * fixtures/sgemm-*.onnx), written with this package's graph builder:
 * - `sgemm-inputs.onnx`: `c = a @ b`, both operands inputs (ORT packs b on every run);
 * - `sgemm-constant-b.onnx`: `c = a @ b` with b a [2048, 2048] initializer in the external file
 *   `sgemm-b.bin` (ORT pre-packs it once, as it does the model's weights); benchkit writes
 *   that file at run time.
 * src/onnx/sgemm-fixtures.test.ts checks that the committed fixtures are what this writes.
 *
 *   npx tsx bench/sgemm-fixtures.ts   # rewrites packages/benchkit/fixtures/
 * @module
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../src/onnx/graph.js';
import { DataType } from '../src/onnx/onnx-proto.js';
import { writeModel } from '../src/onnx/write-model.js';

/** Size of the constant operand. */
export const SGEMM_CONSTANT_SIZE = 2048;

/** Writes both models into `dir` (plus the constant's data file, `sgemm-b.bin`). */
export async function writeSgemmModels(dir: string): Promise<void> {
  const common = { irVersion: 8, opsetVersion: 17, producerName: 'e2v-benchkit', producerVersion: '1' };
  const inputs = new GraphBuilder('sgemm_inputs');
  const a = inputs.input('a', DataType.FLOAT, ['m', 'k']);
  const b = inputs.input('b', DataType.FLOAT, ['k', 'n']);
  inputs.output(inputs.op('MatMul', [a, b]), 'c', DataType.FLOAT, ['m', 'n']);
  await writeModel(inputs, { ...common, modelPath: join(dir, 'sgemm-inputs.onnx'), dataFileName: 'sgemm-inputs.bin' });

  const n = SGEMM_CONSTANT_SIZE;
  const constant = new GraphBuilder('sgemm_constant_b');
  const a2 = constant.input('a', DataType.FLOAT, ['m', n]);
  const b2 = constant.weight('b', DataType.FLOAT, [n, n], () => new Float32Array(n * n));
  constant.output(constant.op('MatMul', [a2, b2]), 'c', DataType.FLOAT, ['m', n]);
  await writeModel(constant, { ...common, modelPath: join(dir, 'sgemm-constant-b.onnx'), dataFileName: 'sgemm-b.bin' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = await mkdtemp(join(tmpdir(), 'e2v-sgemm-'));
  const fixtures = fileURLToPath(new URL('../../benchkit/fixtures/', import.meta.url));
  try {
    await writeSgemmModels(work);
    for (const name of ['sgemm-inputs.onnx', 'sgemm-constant-b.onnx']) await copyFile(join(work, name), join(fixtures, name));
    console.log(`wrote ${fixtures}sgemm-inputs.onnx and sgemm-constant-b.onnx`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
