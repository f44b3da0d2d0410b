/**
 * Prints the benchmark CPU header (JSON) of the process it runs in: bench/run.ts starts it as an
 * AVX2-only CPU, so the emulated CPU's extensions and peak are measured as that CPU.
 *
 *   tsx bench/cpu-header-child.ts THREADS
 * @module
 */
import { cpuHeader } from '@e2v/benchkit';
import { cpuFeatures } from '@e2v/native';

console.log(JSON.stringify(await cpuHeader(cpuFeatures(), Number(process.argv[2] ?? 1))));
