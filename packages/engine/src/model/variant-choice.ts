/**
 * Which graph variant runs when the caller does not say (`variant: 'auto'`): the faster one for
 * this CPU among those the model folder holds. Measured with the full-size model, 20 s, 2 threads
 * (packages/engine/bench): int8 ran 1.75x faster than fp32 on an AVX-512 VNNI / AMX Xeon and
 * 1.3x faster as an AVX2-only CPU (scripts/avx2-only), with a largest score difference to fp32
 * of 0.005. ONNX Runtime has fast u8 x s8 kernels on every x86-64 CPU with AVX2 and on ARM64
 * with the dot-product extension; elsewhere (SSE-only x86, older ARM64) fp32 stays the choice.
 * @module
 */
import type { ModelVariant } from '@e2v/core';
import { cpuFeatures, type CpuFeatures } from '@e2v/native';

/** A variant to run, or `auto` for {@link chooseVariant}'s choice. */
export type VariantRequest = ModelVariant | 'auto';

/** The chosen variant and the reason, for logs and `EngineInfo`. */
export interface VariantChoice {
  variant: ModelVariant;
  reason: string;
}

/**
 * Whether ONNX Runtime's int8 kernels beat its fp32 ones on a CPU (see the module comment).
 * @param cpu the CPU (default: this machine's)
 */
export function int8IsFaster(cpu: CpuFeatures = cpuFeatures()): boolean {
  return cpu.arch === 'x64' ? cpu.flags.avx2 : cpu.arch === 'arm64' && cpu.flags.dotprod;
}

/**
 * Picks the variant to run.
 * @param requested `fp32` / `int8` (returned as asked; the loader reports a missing one) or `auto`
 * @param available the variants the model folder holds (at least one)
 * @param cpu this machine's CPU
 */
export function chooseVariant(requested: VariantRequest, available: readonly ModelVariant[], cpu: CpuFeatures): VariantChoice {
  if (requested !== 'auto') return { variant: requested, reason: 'requested' };
  const fast = int8IsFaster(cpu);
  const preferred: ModelVariant = fast ? 'int8' : 'fp32';
  if (available.includes(preferred)) {
    const extension = cpu.arch === 'arm64' ? 'dot product' : cpu.flags.avx512_vnni || cpu.flags.avx_vnni ? 'VNNI' : 'AVX2';
    return { variant: preferred, reason: fast ? `auto: int8 is faster on this CPU (${extension})` : 'auto: this CPU has no fast int8 kernels' };
  }
  const only = available[0]!;
  return { variant: only, reason: `auto: ${only} is the only variant in the folder${fast ? ' (converting with --int8 adds the faster int8 one)' : ''}` };
}
