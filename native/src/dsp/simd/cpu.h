// Run-time choice of the SIMD instruction set used by the DSP kernels.
#ifndef NATIVE_SRC_DSP_SIMD_CPU_H_
#define NATIVE_SRC_DSP_SIMD_CPU_H_

#include <string>

namespace e2v::dsp {

/** Instruction sets a kernel can be built for. */
enum class SimdLevel { kScalar, kSse2, kAvx2, kNeon };

/** Best level this CPU and this build support. */
SimdLevel DetectSimd();

/**
 * Level to use: DetectSimd(), lowered by the environment variable E2V_SIMD
 * ("scalar", "sse2", "avx2", "neon"; a level the CPU lacks falls back to the
 * best one it has that is not higher). Read once per addon instance.
 */
SimdLevel SimdFromEnvironment();

/** Lower-case name ("scalar", "sse2", "avx2", "neon"). */
const char* SimdName(SimdLevel level);

/** Parses a name as SimdName() writes it; returns false for anything else. */
bool ParseSimd(const std::string& name, SimdLevel* out);

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_SIMD_CPU_H_
