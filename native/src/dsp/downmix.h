// Mono downmix: the mean of the channels (what the reference does with waveform.mean(0)).
#ifndef NATIVE_SRC_DSP_DOWNMIX_H_
#define NATIVE_SRC_DSP_DOWNMIX_H_

#include <cstdint>

namespace e2v::dsp {

/**
 * out[i] = (channels[0][i] + ... + channels[c-1][i]) / c, summed in float64 and
 * rounded once, so finite inputs never overflow and one channel is copied exactly.
 *
 * @param [in] channels `channel_count` pointers to `length` samples each
 * @param [in] channel_count number of channels (>= 1)
 * @param [in] length samples per channel
 * @param [out] out `length` samples
 */
void Downmix(const float* const* channels, int64_t channel_count, int64_t length, float* out);

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_DOWNMIX_H_
