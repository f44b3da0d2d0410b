#include "dsp/simd/cpu.h"

#include <cstdlib>

namespace e2v::dsp {

SimdLevel DetectSimd() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::kAvx2;
  if (__builtin_cpu_supports("sse2")) return SimdLevel::kSse2;
  return SimdLevel::kScalar;
#elif defined(__aarch64__)
  return SimdLevel::kNeon;
#else
  return SimdLevel::kScalar;
#endif
}

SimdLevel SimdFromEnvironment() {
  const SimdLevel best = DetectSimd();
  const char* wanted = std::getenv("E2V_SIMD");
  SimdLevel requested;
  if (wanted == nullptr || !ParseSimd(wanted, &requested)) return best;
  if (requested == SimdLevel::kScalar) return SimdLevel::kScalar;
  if (best == SimdLevel::kNeon) return requested == SimdLevel::kNeon ? best : SimdLevel::kScalar;
  if (requested == SimdLevel::kNeon) return SimdLevel::kScalar;
  return static_cast<int>(requested) < static_cast<int>(best) ? requested : best;
}

const char* SimdName(SimdLevel level) {
  switch (level) {
    case SimdLevel::kSse2:
      return "sse2";
    case SimdLevel::kAvx2:
      return "avx2";
    case SimdLevel::kNeon:
      return "neon";
    case SimdLevel::kScalar:
      break;
  }
  return "scalar";
}

bool ParseSimd(const std::string& name, SimdLevel* out) {
  for (SimdLevel level : {SimdLevel::kScalar, SimdLevel::kSse2, SimdLevel::kAvx2, SimdLevel::kNeon}) {
    if (name == SimdName(level)) {
      *out = level;
      return true;
    }
  }
  return false;
}

}  // namespace e2v::dsp
