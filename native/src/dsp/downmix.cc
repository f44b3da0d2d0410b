#include "dsp/downmix.h"

#include <algorithm>
#include <cstring>

namespace e2v::dsp {

void Downmix(const float* const* channels, int64_t channel_count, int64_t length, float* out) {
  if (channel_count <= 0 || length <= 0) return;
  if (channel_count == 1) {
    std::memcpy(out, channels[0], static_cast<size_t>(length) * sizeof(float));
    return;
  }
  // Channel by channel over blocks that stay in L1, so each input is read once, in order.
  constexpr int64_t kBlock = 512;
  double sum[kBlock];
  const double count = static_cast<double>(channel_count);
  for (int64_t start = 0; start < length; start += kBlock) {
    const int64_t size = std::min(kBlock, length - start);
    const float* first = channels[0] + start;
    for (int64_t i = 0; i < size; ++i) sum[i] = first[i];
    for (int64_t c = 1; c < channel_count; ++c) {
      const float* x = channels[c] + start;
      for (int64_t i = 0; i < size; ++i) sum[i] += x[i];
    }
    for (int64_t i = 0; i < size; ++i) out[start + i] = static_cast<float>(sum[i] / count);
  }
}

}  // namespace e2v::dsp
