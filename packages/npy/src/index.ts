/**
 * `@e2v/npy`: NumPy `.npy` files in and out, so embeddings load with `numpy.load`.
 * @module
 */
export { readNpy, type NpyArray, type NpyDtype, type NpyData } from './read.js';
export { encodeNpy } from './write.js';
export { NpyFormatError } from './errors.js';
export { NpyRowWriter } from './row-writer.js';
export { HeaderedFile } from './header-file.js';
