/**
 * Opens a torch.save checkpoint (`model.pt`): reads the zip directory and the
 * pickle for metadata, and streams each tensor from the file on demand.
 * @module
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { CheckpointError } from '../errors.js';
import { countingReads, readExactly, type ReadableFile } from './file-io.js';
import { selectStateDict, type SelectedStateDict } from './state-dict.js';
import { checkTensorLayout, gatherStrided, ITEM_SIZE, type TensorLayout, upcast16 } from './tensor-data.js';
import { loadTorchPickle } from './torch-pickle.js';
import type { CheckpointReader, TensorInfo } from './types.js';
import { readZipDirectory, storedEntryDataOffset, type ZipEntry } from './zip-reader.js';

/** Largest `data.pkl` read into memory (the emotion2vec+ large one is well under 1 MiB). */
export const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

/** Where a tensor's storage starts in the file, and its checked layout. */
interface TensorLocation {
  info: TensorInfo;
  layout: TensorLayout;
  /** Absolute file offset of storage element 0. */
  dataOffset: number;
}

/** Finds the single `<prefix>/data.pkl` of the archive and returns `<prefix>/`. */
function archivePrefix(entries: ReadonlyMap<string, ZipEntry>): string {
  const pickles = [...entries.keys()].filter((name) => name === 'data.pkl' || name.endsWith('/data.pkl'));
  if (pickles.length !== 1) {
    throw new CheckpointError(
      'E2V_ERR_CHECKPOINT_NO_DATA_PKL',
      pickles.length === 0
        ? 'zip archive has no <folder>/data.pkl, so it is not a torch.save checkpoint'
        : `zip archive has ${pickles.length} data.pkl entries (${pickles.join(', ')}); expected one`,
    );
  }
  return pickles[0]!.slice(0, -'data.pkl'.length);
}

async function readEntry(file: ReadableFile, fileSize: number, entry: ZipEntry): Promise<Uint8Array> {
  const offset = await storedEntryDataOffset(file, fileSize, entry);
  const bytes = new Uint8Array(entry.size);
  await readExactly(file, bytes, offset, entry.name);
  return bytes;
}

async function checkByteOrder(file: ReadableFile, fileSize: number, entry: ZipEntry | undefined): Promise<void> {
  if (entry === undefined) return; // written by torch >= 2.1 only; older archives are little-endian
  const text = entry.size <= 16 ? new TextDecoder().decode(await readEntry(file, fileSize, entry)).trim() : '';
  if (text !== 'little') {
    throw new CheckpointError(
      'E2V_ERR_CHECKPOINT_BYTEORDER',
      `checkpoint byteorder record says "${text.slice(0, 16)}"; only little-endian checkpoints are supported`,
    );
  }
}

/** The state dict's tensors located in the file, what else its entries are, and the globals left inert. */
interface Located {
  tensors: Map<string, TensorLocation>;
  nonTensors: SelectedStateDict['nonTensors'];
  ignoredGlobals: string[];
}

async function locateTensors(file: ReadableFile, fileSize: number): Promise<Located> {
  const entries = await readZipDirectory(file, fileSize);
  const prefix = archivePrefix(entries);
  await checkByteOrder(file, fileSize, entries.get(`${prefix}byteorder`));
  const pickleEntry = entries.get(`${prefix}data.pkl`)!;
  if (pickleEntry.size > MAX_PICKLE_BYTES) {
    throw new CheckpointError('E2V_ERR_CHECKPOINT_TOO_LARGE', `${pickleEntry.name} is ${pickleEntry.size} bytes (limit ${MAX_PICKLE_BYTES})`);
  }
  const { root, ignoredGlobals } = loadTorchPickle(await readEntry(file, fileSize, pickleEntry));
  const stateDict = selectStateDict(root);
  const storageOffsets = new Map<string, number>();
  const located = new Map<string, TensorLocation>();
  for (const [name, tensor] of stateDict.tensors) {
    const entryName = `${prefix}data/${tensor.storage.key}`;
    const entry = entries.get(entryName);
    if (entry === undefined) {
      throw new CheckpointError(
        'E2V_ERR_CHECKPOINT_MISSING_STORAGE',
        `tensor ${name} uses storage ${tensor.storage.key}, but the archive has no entry ${entryName}`,
      );
    }
    const layout = checkTensorLayout(name, tensor, entry.size);
    let dataOffset = storageOffsets.get(entryName);
    if (dataOffset === undefined) {
      dataOffset = await storedEntryDataOffset(file, fileSize, entry);
      storageOffsets.set(entryName, dataOffset);
    }
    located.set(name, { info: { name, dtype: layout.dtype, shape: layout.shape }, layout, dataOffset });
  }
  return { tensors: located, nonTensors: stateDict.nonTensors, ignoredGlobals };
}

async function readTensor(file: ReadableFile, location: TensorLocation): Promise<Float32Array> {
  const { layout, dataOffset, info } = location;
  if (layout.numel === 0) return new Float32Array(0);
  const itemSize = ITEM_SIZE[layout.dtype];
  const position = dataOffset + layout.first * itemSize;
  let span: Float32Array;
  if (layout.dtype === 'float32') {
    span = new Float32Array(layout.span);
    await readExactly(file, new Uint8Array(span.buffer), position, `tensor ${info.name}`);
  } else {
    const raw = new Uint8Array(layout.span * itemSize);
    await readExactly(file, raw, position, `tensor ${info.name}`);
    span = upcast16(raw, layout.dtype);
  }
  return layout.contiguous ? span : gatherStrided(span, layout);
}

/**
 * Opens a torch.save checkpoint. Reads only the zip directory, `data.pkl`
 * and the local headers of the state dict's storages, then keeps the file open;
 * each {@link CheckpointReader.read} reads one tensor's bytes from the file. Storages outside
 * the state dict (a training checkpoint's optimizer moments) are never read.
 * @param path the `model.pt` file
 * @returns a reader listing the state dict's tensors by normalized name
 * @throws CheckpointError (`E2V_ERR_CHECKPOINT_*`) when the file cannot be read, is no
 *   torch.save archive, has a malformed pickle, or describes tensors outside their data
 * @example
 * const ckpt = await openCheckpoint('emotion2vec_plus_large/model.pt');
 * try {
 *   const weight = await ckpt.read('proj.weight'); // Float32Array, C order
 * } finally {
 *   await ckpt.close();
 * }
 */
export async function openCheckpoint(path: string): Promise<CheckpointReader> {
  let file: FileHandle;
  let fileSize: number;
  try {
    file = await openFile(path, 'r');
  } catch (cause) {
    throw new CheckpointError('E2V_ERR_CHECKPOINT_IO', `cannot open checkpoint ${path}: ${(cause as Error).message}`, { cause });
  }
  const counted = countingReads(file);
  let found: Located;
  try {
    fileSize = (await file.stat()).size;
    found = await locateTensors(counted, fileSize);
  } catch (error) {
    await file.close();
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError('E2V_ERR_CHECKPOINT_IO', `cannot read checkpoint ${path}: ${(error as Error).message}`, { cause: error });
  }
  const located = found.tensors;
  const tensors = new Map<string, TensorInfo>([...located].map(([name, location]) => [name, location.info]));
  let closed = false;
  return {
    tensors,
    nonTensors: found.nonTensors,
    ignoredGlobals: found.ignoredGlobals,
    get bytesRead() {
      return counted.bytesRead;
    },
    requireTensors(names) {
      for (const name of names) {
        const other = found.nonTensors.get(name);
        if (!located.has(name) && other !== undefined) {
          throw new CheckpointError(
            'E2V_ERR_CHECKPOINT_NOT_A_TENSOR',
            `state dict entry ${other.key} is ${other.what}, not a tensor; the model needs it as a weight`,
          );
        }
      }
    },
    async read(name) {
      const location = located.get(name);
      if (location === undefined) {
        throw new CheckpointError('E2V_ERR_CHECKPOINT_MISSING_TENSOR', `checkpoint ${path} has no tensor ${name}`);
      }
      if (closed) throw new CheckpointError('E2V_ERR_CHECKPOINT_CLOSED', `checkpoint ${path} was closed before reading ${name}`);
      return readTensor(counted, location);
    },
    async close() {
      if (closed) return;
      closed = true;
      await file.close();
    },
  };
}
