/**
 * `@e2v/benchkit`: helpers shared by the packages' benchmarks (TypeScript source, never built or
 * shipped). It imports only onnxruntime-node, so every package's bench can use it; the CPU itself
 * comes from the caller (@e2v/native `cpuFeatures()`), and so does the converter.
 * @module
 */
export { cpuHeader, type CpuReport, type HostCpu } from './cpu-header.js';
export { SGEMM_FIXTURES_DIR } from './peak-sgemm.js';
export { markdownTable, type Cell } from './table.js';
export { avx2OnlyCommand, avx2OnlyMechanism, type Avx2OnlyChoice } from './avx2-only.js';
export { FULL_SIZE_CACHE, FULL_SIZE_CONFIG, fullSizeModel, type FullSizeConverter } from './full-size-model.js';
