#include "dsp/resample_dot.h"

namespace e2v::dsp {

PolyphaseFn SelectPolyphase(SimdLevel level) {
  switch (level) {
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
    case SimdLevel::kAvx2:
      return PolyphaseAvx2;
    case SimdLevel::kSse2:
      return PolyphaseSse2;
#endif
#if defined(__aarch64__)
    case SimdLevel::kNeon:
      return PolyphaseNeon;
#endif
    default:
      return PolyphaseScalar;
  }
}

}  // namespace e2v::dsp
