import type { CpuFeatures, CpuFlags } from '@e2v/native';
import { describe, expect, it } from 'vitest';
import { chooseVariant, int8IsFaster } from './variant-choice.js';

const NO_FLAGS: CpuFlags = {
  sse2: false,
  avx: false,
  avx2: false,
  fma: false,
  avx512f: false,
  avx512bw: false,
  avx512vl: false,
  avx512_vnni: false,
  avx_vnni: false,
  amx_tile: false,
  amx_int8: false,
  amx_bf16: false,
  neon: false,
  dotprod: false,
  i8mm: false,
};
function cpu(arch: CpuFeatures['arch'], flags: Partial<CpuFlags>): CpuFeatures {
  return { arch, vendor: '', brand: '', family: 0, model: 0, stepping: 0, flags: { ...NO_FLAGS, ...flags } };
}
const ZEN2 = cpu('x64', { sse2: true, avx: true, avx2: true, fma: true });
const SAPPHIRE_RAPIDS = cpu('x64', {
  sse2: true,
  avx: true,
  avx2: true,
  fma: true,
  avx512f: true,
  avx512_vnni: true,
  avx_vnni: true,
  amx_int8: true,
  amx_tile: true,
});
const SSE_ONLY = cpu('x64', { sse2: true });
const GRAVITON2 = cpu('arm64', { neon: true, dotprod: true });
const CORTEX_A72 = cpu('arm64', { neon: true });

describe('chooseVariant', () => {
  it('should return an explicit request as asked', () => {
    expect(chooseVariant('fp32', ['fp32', 'int8'], ZEN2)).toEqual({ variant: 'fp32', reason: 'requested' });
    expect(chooseVariant('int8', ['fp32'], SSE_ONLY).variant).toBe('int8');
  });

  it('should pick int8 on CPUs with fast int8 kernels when the folder has it', () => {
    expect(chooseVariant('auto', ['fp32', 'int8'], ZEN2)).toEqual({ variant: 'int8', reason: 'auto: int8 is faster on this CPU (AVX2)' });
    expect(chooseVariant('auto', ['fp32', 'int8'], SAPPHIRE_RAPIDS).reason).toBe('auto: int8 is faster on this CPU (VNNI)');
    expect(chooseVariant('auto', ['fp32', 'int8'], GRAVITON2)).toMatchObject({ variant: 'int8', reason: 'auto: int8 is faster on this CPU (dot product)' });
  });

  it('should pick fp32 on CPUs without them', () => {
    expect(chooseVariant('auto', ['fp32', 'int8'], SSE_ONLY)).toEqual({ variant: 'fp32', reason: 'auto: this CPU has no fast int8 kernels' });
    expect(chooseVariant('auto', ['fp32', 'int8'], CORTEX_A72).variant).toBe('fp32');
  });

  it('should fall back to the only variant a folder holds, saying how to get the faster one', () => {
    expect(chooseVariant('auto', ['fp32'], ZEN2)).toEqual({
      variant: 'fp32',
      reason: 'auto: fp32 is the only variant in the folder (converting with --int8 adds the faster int8 one)',
    });
    expect(chooseVariant('auto', ['int8'], SSE_ONLY)).toEqual({ variant: 'int8', reason: 'auto: int8 is the only variant in the folder' });
  });

  it('should treat an unknown architecture as without fast int8', () => {
    expect(int8IsFaster(cpu('other', {}))).toBe(false);
  });
});
