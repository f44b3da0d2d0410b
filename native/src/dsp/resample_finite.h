// Finding NaN and infinite samples quickly (used by resample and downmix).
#ifndef NATIVE_SRC_DSP_RESAMPLE_FINITE_H_
#define NATIVE_SRC_DSP_RESAMPLE_FINITE_H_

#include <cstdint>
#include <string>

namespace e2v::dsp {

/** Index of the first NaN or infinite value of x[0 .. length), or -1 if all are finite. */
int64_t FindNonFinite(const float* x, int64_t length);

/**
 * The RangeError message for a non-finite sample, worded like lib/validate.ts:
 * "Expected finite values in samples but samples[12] is NaN".
 * @param [in] name argument name ("samples", "chunk", "channels")
 * @param [in] element how the element is written ("samples[12]", "channels[1][12]")
 * @param [in] value the sample (NaN or infinite)
 */
std::string NonFiniteMessage(const std::string& name, const std::string& element, float value);

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_RESAMPLE_FINITE_H_
