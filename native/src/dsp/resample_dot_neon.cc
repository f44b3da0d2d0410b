// NEON polyphase kernel (arm64 only), in the order described in
// resample_dot.h: two 4-lane float32 accumulators stand for the 8 lanes.
#include <arm_neon.h>

#include "dsp/resample_dot.h"

namespace e2v::dsp {

namespace {

float Dot(const float* h, const float* s, int64_t stride, int64_t mb, int64_t me) {
  float32x4_t lo = vdupq_n_f32(0.0f);
  float32x4_t hi = lo;
  for (int64_t k = 0; k < mb; k += 8) {
    lo = vfmaq_f32(lo, vld1q_f32(h + k), vld1q_f32(s + k));
    hi = vfmaq_f32(hi, vld1q_f32(h + k + 4), vld1q_f32(s + k + 4));
  }
  for (int64_t k = me; k < stride; k += 8) {
    lo = vfmaq_f32(lo, vld1q_f32(h + k), vld1q_f32(s + k));
    hi = vfmaq_f32(hi, vld1q_f32(h + k + 4), vld1q_f32(s + k + 4));
  }
  float lanes[8];
  vst1q_f32(lanes, lo);
  vst1q_f32(lanes + 4, hi);
  if (mb == me) {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  } else {
    float64x2_t e01 = vdupq_n_f64(0.0), e23 = e01, e45 = e01, e67 = e01;
    for (int64_t k = mb; k < me; k += 8) {
      const float32x4_t c0 = vld1q_f32(h + k);
      const float32x4_t c1 = vld1q_f32(h + k + 4);
      const float32x4_t v0 = vld1q_f32(s + k);
      const float32x4_t v1 = vld1q_f32(s + k + 4);
      e01 = vfmaq_f64(e01, vcvt_f64_f32(vget_low_f32(c0)), vcvt_f64_f32(vget_low_f32(v0)));
      e23 = vfmaq_f64(e23, vcvt_high_f64_f32(c0), vcvt_high_f64_f32(v0));
      e45 = vfmaq_f64(e45, vcvt_f64_f32(vget_low_f32(c1)), vcvt_f64_f32(vget_low_f32(v1)));
      e67 = vfmaq_f64(e67, vcvt_high_f64_f32(c1), vcvt_high_f64_f32(v1));
    }
    double exact[8];
    vst1q_f64(exact, e01);
    vst1q_f64(exact + 2, e23);
    vst1q_f64(exact + 4, e45);
    vst1q_f64(exact + 6, e67);
    return CombineLanes(lanes, exact);
  }
}

}  // namespace

void PolyphaseNeon(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
                   float* out) {
  const int64_t stride = kernel.stride();
  const int64_t mb = kernel.mixed_begin() * 8;
  const int64_t me = kernel.mixed_end() * 8;
  PolyphasePosition pos{j0 / kernel.n(), j0 % kernel.n()};
  EachOutput(kernel, x, x_begin, &pos, 0, count, out,
             [&](const float* h, const float* s) { return Dot(h, s, stride, mb, me); });
}

}  // namespace e2v::dsp
