/**
 * Test helpers (not part of the package API): golden checkpoint paths,
 * temporary folders, storage bytes, and an independent Python loader that
 * mimics torch.load with zipfile + pickle + numpy.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZipWriter, type ZipWriterOptions } from '../zip-writer.js';

/** The golden emotion2vec data shared by every package (repo root test/fixtures/emotion2vec). */
export const GOLDEN_DIR = fileURLToPath(new URL('../../../../../test/fixtures/emotion2vec/', import.meta.url));

/** Golden checkpoints and their folders inside the zip. */
export const GOLDEN_CHECKPOINTS = ['tiny-a', 'tiny-b-5class'] as const;

/** Path of a file of a golden checkpoint, e.g. `goldenFile('tiny-a', 'model.pt')`. */
export function goldenFile(checkpoint: (typeof GOLDEN_CHECKPOINTS)[number], file: string): string {
  return join(GOLDEN_DIR, 'checkpoints', checkpoint, file);
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'e2v-convert-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Little-endian float32 bytes of `values` (a fresh buffer). */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** Little-endian uint16 bytes (half / bfloat16 bit patterns). */
export function uint16Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Uint16Array.from(values).buffer);
}

/** Half-precision bits to a number by the IEEE 754 formula (independent of the reader's bit-shuffling decoder). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** sha256 (hex) of a float32 array's bytes. */
export function sha256Float32(values: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
}

/** Writes a zip archive of the given entries (e.g. a hand-made hostile checkpoint). */
export async function writeArchive(path: string, entries: readonly (readonly [string, Uint8Array])[], options?: ZipWriterOptions): Promise<void> {
  const file = await open(path, 'w');
  try {
    const zip = new ZipWriter(file, options);
    for (const [name, data] of entries) await zip.add(name, data);
    await zip.finish();
  } finally {
    await file.close();
  }
}

/** Whether `python3` with numpy is available for the cross-checks. */
export const HAS_PYTHON_NUMPY = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

/**
 * Python that loads a torch.save archive the way torch.load does — zipfile
 * (CRC-checked), a pickle.Unpickler that knows only the torch globals, storages
 * from `<prefix>/data/<key>`, `as_strided` views — and prints, as JSON, the
 * pickle's globals, the top-level keys, the archive folder, whether every entry's
 * data is 64-byte aligned, and name -> [shape, sha256 of float32 C-order bytes].
 */
const TORCH_LOAD_MIMIC = String.raw`
import collections, hashlib, io, json, pickle, pickletools, sys, zipfile
import numpy as np
path = sys.argv[1]
z = zipfile.ZipFile(path)
assert z.testzip() is None
prefix = [n for n in z.namelist() if n.endswith('/data.pkl')][0][:-len('data.pkl')]
aligned = True
with open(path, 'rb') as f:
    for info in z.infolist():
        f.seek(info.header_offset)
        h = f.read(30)
        start = info.header_offset + 30 + int.from_bytes(h[26:28], 'little') + int.from_bytes(h[28:30], 'little')
        aligned = aligned and start % 64 == 0
data_pkl = z.read(prefix + 'data.pkl')
globals_used = sorted({arg.replace(' ', '.') for op, arg, _ in pickletools.genops(data_pkl) if op.name == 'GLOBAL'})
def rebuild(storage, offset, size, stride, requires_grad, hooks, *rest):
    view = np.lib.stride_tricks.as_strided(storage[offset:], shape=size, strides=[s * storage.itemsize for s in stride])
    return np.ascontiguousarray(view.astype(np.float32))
class StorageType:
    def __init__(self, name): self.name = name
class Loader(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ('collections', 'OrderedDict'): return collections.OrderedDict
        if (module, name) == ('torch._utils', '_rebuild_tensor_v2'): return rebuild
        if module == 'torch' and name in ('FloatStorage', 'HalfStorage', 'BFloat16Storage'): return StorageType(name)
        raise pickle.UnpicklingError(module + '.' + name)
    def persistent_load(self, pid):
        kind, st, key, location, numel = pid
        raw = z.read(prefix + 'data/' + key)
        if st.name == 'FloatStorage': data = np.frombuffer(raw, dtype='<f4')
        elif st.name == 'HalfStorage': data = np.frombuffer(raw, dtype='<f2')
        else: data = (np.frombuffer(raw, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
        assert kind == 'storage' and location == 'cpu' and data.size == numel
        return data
root = Loader(io.BytesIO(data_pkl)).load()
state = root
for key in ('model', 'state_dict', 'model_state_dict'):
    if isinstance(root, dict) and key in root and isinstance(root[key], dict) and len(root[key]) > 0:
        state = root[key]
        break
tensors = {k: [list(v.shape), hashlib.sha256(v.tobytes()).hexdigest()] for k, v in state.items() if isinstance(v, np.ndarray)}
print(json.dumps({'globals': globals_used, 'top': list(root.keys()), 'prefix': prefix, 'aligned': aligned,
                  'version': z.read(prefix + 'version').decode(), 'tensors': tensors}))
`;

/** What {@link torchLoadMimic} reports. */
export interface MimicReport {
  globals: string[];
  top: string[];
  prefix: string;
  aligned: boolean;
  version: string;
  tensors: Record<string, [number[], string]>;
}

/** Loads a checkpoint with the Python torch.load mimic (requires {@link HAS_PYTHON_NUMPY}). */
export function torchLoadMimic(path: string): MimicReport {
  const run = spawnSync('python3', ['-c', TORCH_LOAD_MIMIC, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python torch.load mimic failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as MimicReport;
}
