/**
 * `@e2v/benchkit`: helpers shared by the packages' benchmarks (TypeScript source, never built or
 * shipped). It imports only onnxruntime-node, so every package's bench can use it; the CPU itself
 * comes from the caller (@e2v/native `cpuFeatures()`), and so does the converter.
 * @module
 */
export * from './cpu-header.js';
export * from './peak-sgemm.js';
export * from './table.js';
export * from './avx2-only.js';
export * from './full-size-model.js';
