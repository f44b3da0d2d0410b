/**
 * Writes a {@link GraphBuilder} as `<model>.onnx` plus one external-data file
 * holding every weight. Weights are produced and written one at a time, so
 * peak memory is one tensor (plus whatever its producer needs), not the model.
 * @module
 */
import { open, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConvertError } from '../errors.js';
import { type GraphBuilder, dataTypeOf, elementCount, tensorBytes } from './graph.js';
import { type ModelProto, type OpsetId, type TensorProto, encodeModel } from './onnx-proto.js';

/** Byte alignment of tensors in the external-data file. */
export interface DataAlignment {
  /** Alignment of every tensor (default 64 bytes). */
  small: number;
  /** Alignment of tensors of at least `threshold` bytes (default 64 KiB, the mmap granularity on Windows). */
  large: number;
  /** Size from which `large` applies (default 1 MiB). */
  threshold: number;
}

/** Default alignment: ORT memory-maps external data, and page-aligned big tensors map without copies. */
export const DEFAULT_ALIGNMENT: DataAlignment = { small: 64, large: 65536, threshold: 1 << 20 };

/** Options of {@link writeModel}. */
export interface WriteModelOptions {
  /** Path of the `.onnx` file to write. The data file goes next to it. */
  modelPath: string;
  /** File name of the external-data file (same folder), e.g. `model.onnx.data`. */
  dataFileName: string;
  /** ONNX IR version. */
  irVersion: number;
  /** Version of the default ONNX domain; `com.microsoft` is added at version 1 when used. */
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  /** `metadata_props` (ORT exposes them as custom metadata). */
  metadata?: Readonly<Record<string, string>>;
  alignment?: DataAlignment;
  /** Called after each weight is written. */
  onWeight?: (done: number, total: number, name: string) => void;
}

/** What {@link writeModel} wrote. */
export interface WrittenModel {
  modelBytes: number;
  dataBytes: number;
  weights: number;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Writes the model file and its external-data file.
 * @throws ConvertError `E2V_ERR_CONVERT_WEIGHT` when a producer returns data of the wrong type or size
 */
export async function writeModel(graph: GraphBuilder, options: WriteModelOptions): Promise<WrittenModel> {
  if (endianness() !== 'LE') {
    throw new ConvertError('E2V_ERR_CONVERT_PLATFORM', 'writing ONNX tensor data needs a little-endian host');
  }
  if (basename(options.dataFileName) !== options.dataFileName) {
    throw new RangeError(`Expected a bare file name for dataFileName but received ${options.dataFileName}`);
  }
  const alignment = options.alignment ?? DEFAULT_ALIGNMENT;
  const dataPath = join(dirname(options.modelPath), options.dataFileName);
  const external: TensorProto[] = [];
  const handle = await open(dataPath, 'w');
  let position = 0;
  try {
    const total = graph.weights.length;
    for (const [index, w] of graph.weights.entries()) {
      const data = await w.produce();
      if (dataTypeOf(data) !== w.dataType || data.length !== elementCount(w.dims)) {
        throw new ConvertError(
          'E2V_ERR_CONVERT_WEIGHT',
          `weight ${w.name}: expected ${elementCount(w.dims)} elements of ONNX type ${w.dataType} ` +
            `for shape [${w.dims.join(', ')}], got ${data.length} of ${data.constructor.name}`,
        );
      }
      const bytes = tensorBytes(data);
      const align = bytes.length >= alignment.threshold ? alignment.large : alignment.small;
      const offset = alignUp(position, align);
      if (offset > position) await handle.write(new Uint8Array(offset - position), 0, offset - position, position);
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, offset + written);
        written += bytesWritten;
      }
      position = offset + bytes.length;
      external.push({
        name: w.name,
        dataType: w.dataType,
        dims: w.dims,
        external: { location: options.dataFileName, offset, length: bytes.length },
      });
      options.onWeight?.(index + 1, total, w.name);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }

  const opsets: OpsetId[] = [{ domain: '', version: options.opsetVersion }];
  for (const d of [...graph.domains].sort()) opsets.push({ domain: d, version: 1 });
  const model: ModelProto = {
    irVersion: options.irVersion,
    opsets,
    producerName: options.producerName,
    producerVersion: options.producerVersion,
    ...(options.docString === undefined ? {} : { docString: options.docString }),
    graph: {
      name: graph.name,
      nodes: graph.nodes,
      initializers: [...graph.inlineInitializers, ...external],
      inputs: graph.inputs,
      outputs: graph.outputs,
    },
    metadata: Object.entries(options.metadata ?? {}),
  };
  const bytes = encodeModel(model);
  await writeFile(options.modelPath, bytes);
  return { modelBytes: bytes.length, dataBytes: position, weights: external.length };
}
