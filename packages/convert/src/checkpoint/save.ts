/**
 * Writes a torch.save-compatible checkpoint (`model.pt`) one tensor at a
 * time: the pickle (metadata) first, then each storage produced on demand,
 * into a temporary file that is renamed into place when complete.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { CheckpointError } from '../errors.js';
import type { PickleValue, PlainValue } from './pickle-writer.js';
import { ITEM_SIZE } from './tensor-data.js';
import { buildTorchPickle, type SaveLayout, type TensorReference } from './torch-pickle-writer.js';
import type { SourceDtype } from './types.js';
import { ZipWriter } from './zip-writer.js';

export type { SaveLayout } from './torch-pickle-writer.js';

/** One tensor to save: its metadata now, its storage bytes when it is written. */
export interface SavedTensor {
  /** State dict key, written as is (e.g. `d2v_model.blocks.0.norm1.weight`, `module.proj.weight`). */
  name: string;
  /** Storage type; default `float32`. */
  dtype?: SourceDtype;
  /** Shape. */
  shape: readonly number[];
  /** Strides in elements; default C-contiguous. */
  stride?: readonly number[];
  /** Storage offset in elements; default 0. */
  offset?: number;
  /** Elements in the storage; default just enough for the view. */
  storageNumel?: number;
  /**
   * Part of the state dict (default true); false stores the tensor only, for `py.tensor(name)`
   * references in {@link SaveCheckpointOptions.extra} (e.g. optimizer moments).
   */
  inStateDict?: boolean;
  /**
   * Produces the storage's little-endian bytes (`storageNumel` x item size).
   * Called once, when this tensor's turn comes, so only one storage is in memory at a time.
   */
  data(): Uint8Array | Promise<Uint8Array>;
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** Where the state dict goes; default `fairseq` (the emotion2vec+ release layout, see {@link SaveLayout}). */
  layout?: SaveLayout;
  /** The fairseq `"cfg"` entry; default `{}`. */
  cfg?: PlainValue;
  /**
   * `fairseq` layout only: more top-level entries, or replacements of the default ones
   * (`args`, `extra_state`, `last_optimizer_state`, ...), as {@link PickleValue}s; see
   * `TorchPickleOptions.extra`.
   */
  extra?: { readonly [key: string]: PickleValue };
  /** Folder inside the zip; default the file name without extension, as torch.save does (`model.pt` -> `model/`). */
  archiveName?: string;
  /** Write zip64 fields everywhere even when 32 bits suffice (to test readers). */
  forceZip64?: boolean;
}

/** Fills in a tensor's layout defaults and checks them. */
function reference(tensor: SavedTensor, key: number): TensorReference {
  const { name, shape } = tensor;
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new RangeError(`Expected non-negative integer sizes for ${name} but received [${shape.join(', ')}]`);
  }
  const stride = tensor.stride ?? shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  if (stride.length !== shape.length || stride.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new RangeError(`Expected ${shape.length} non-negative integer strides for ${name} but received [${stride.join(', ')}]`);
  }
  const offset = tensor.offset ?? 0;
  const empty = shape.includes(0);
  const needed = empty ? offset : offset + shape.reduce((sum, d, i) => sum + (d - 1) * stride[i]!, 0) + 1;
  const storageNumel = tensor.storageNumel ?? needed;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(storageNumel) || storageNumel < needed) {
    throw new RangeError(`Expected a storage of at least ${needed} elements for ${name} but received ${storageNumel} (offset ${offset})`);
  }
  return { dtype: tensor.dtype ?? 'float32', key: String(key), storageNumel, offset, shape, stride };
}

/**
 * Writes a checkpoint that torch.load reads (zip archive of `data.pkl`,
 * `data/<n>` storages and `version`, entries 64-byte aligned, zip64 where
 * needed), streaming: one storage is produced and written at a time. The file
 * appears at `path` only when complete (written under a temporary name, then renamed).
 * @param path destination, e.g. `out/model.pt`
 * @param tensors the state dict, in order; each storage is produced by its `data()` when written
 * @param options top-level layout, fairseq cfg, archive folder, zip64
 * @throws RangeError for duplicate names, inconsistent shapes/strides/offsets or a `data()` result of the wrong length
 * @throws CheckpointError E2V_ERR_CHECKPOINT_WRITE when the file cannot be written
 * @example
 * await saveCheckpoint('out/model.pt', [
 *   { name: 'proj.bias', shape: [9], data: () => new Uint8Array(new Float32Array(9).buffer) },
 * ]);
 */
export async function saveCheckpoint(path: string, tensors: readonly SavedTensor[], options: SaveCheckpointOptions = {}): Promise<void> {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new RangeError(`Expected unique tensor names but received ${t.name} twice`);
    names.add(t.name);
  }
  const references = tensors.map(reference);
  const archive = options.archiveName ?? basename(path, extname(path));
  const inStateDict = tensors.map((t) => t.inStateDict !== false);
  const pickle = buildTorchPickle(
    tensors.flatMap((t, i) => (inStateDict[i] ? [[t.name, references[i]!] as const] : [])),
    {
      layout: options.layout ?? 'fairseq',
      cfg: options.cfg ?? {},
      ...(options.extra === undefined ? {} : { extra: options.extra }),
      otherTensors: new Map(tensors.flatMap((t, i) => (inStateDict[i] ? [] : [[t.name, references[i]!] as const]))),
    },
  );
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let file: FileHandle;
  try {
    file = await open(temporary, 'wx');
  } catch (cause) {
    throw new CheckpointError('E2V_ERR_CHECKPOINT_WRITE', `cannot create ${temporary}: ${(cause as Error).message}`, { cause });
  }
  try {
    const zip = new ZipWriter(file, { forceZip64: options.forceZip64 ?? false });
    await zip.add(`${archive}/data.pkl`, pickle);
    for (const [i, tensor] of tensors.entries()) {
      const ref = references[i]!;
      const data = await tensor.data();
      const expected = ref.storageNumel * ITEM_SIZE[ref.dtype];
      if (data.byteLength !== expected) {
        throw new RangeError(`Expected ${expected} bytes of ${ref.dtype} storage for ${tensor.name} but received ${data.byteLength}`);
      }
      await zip.add(`${archive}/data/${ref.key}`, data);
    }
    await zip.add(`${archive}/version`, new TextEncoder().encode('3\n'));
    await zip.finish();
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temporary, { force: true });
    if (error instanceof RangeError || error instanceof CheckpointError) throw error;
    throw new CheckpointError('E2V_ERR_CHECKPOINT_WRITE', `cannot write checkpoint ${path}: ${(error as Error).message}`, { cause: error });
  }
}
