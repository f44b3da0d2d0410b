#include "dsp/resample_finite.h"

#include <cstring>
#include <string>

namespace e2v::dsp {

int64_t FindNonFinite(const float* x, int64_t length) {
  // Blocks without an early exit inside, so the compiler can vectorize the test:
  // a float is NaN or infinite exactly when its exponent bits are all ones.
  constexpr int64_t kBlock = 1024;
  constexpr uint32_t kExponent = 0x7f800000u;
  for (int64_t start = 0; start < length; start += kBlock) {
    const int64_t end = length - start < kBlock ? length : start + kBlock;
    uint32_t any = 0;
    for (int64_t i = start; i < end; ++i) {
      uint32_t bits;
      std::memcpy(&bits, x + i, sizeof bits);
      any |= static_cast<uint32_t>((bits & kExponent) == kExponent);
    }
    if (any != 0) {
      for (int64_t i = start; i < end; ++i) {
        uint32_t bits;
        std::memcpy(&bits, x + i, sizeof bits);
        if ((bits & kExponent) == kExponent) return i;
      }
    }
  }
  return -1;
}

std::string NonFiniteMessage(const std::string& name, const std::string& element, float value) {
  const char* text = value != value ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
  return "Expected finite values in " + name + " but " + element + " is " + text;
}

}  // namespace e2v::dsp
