// Portable polyphase kernel, in the order described in resample_dot.h.
#include "dsp/resample_dot.h"

namespace e2v::dsp {

namespace {

float Dot(const float* h, const float* s, int64_t stride, int64_t mixed_begin, int64_t mixed_end) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t k = 0; k < mixed_begin; k += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += h[k + l] * s[k + l];
  }
  for (int64_t k = mixed_end; k < stride; k += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += h[k + l] * s[k + l];
  }
  if (mixed_begin == mixed_end) {
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  }
  double exact[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t k = mixed_begin; k < mixed_end; k += 8) {
    for (int l = 0; l < 8; ++l) exact[l] += static_cast<double>(h[k + l]) * static_cast<double>(s[k + l]);
  }
  return CombineLanes(lane, exact);
}

}  // namespace

void PolyphaseScalar(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
                     float* out) {
  const int64_t stride = kernel.stride();
  const int64_t mixed_begin = kernel.mixed_begin() * 8;
  const int64_t mixed_end = kernel.mixed_end() * 8;
  PolyphasePosition pos{j0 / kernel.n(), j0 % kernel.n()};
  EachOutput(kernel, x, x_begin, &pos, 0, count, out,
             [&](const float* h, const float* s) { return Dot(h, s, stride, mixed_begin, mixed_end); });
}

}  // namespace e2v::dsp
