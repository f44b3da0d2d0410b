// NEON fbank kernel (AArch64): four frames per batch (see fbank_kernel-inl.h).
// CMakeLists.txt compiles *_neon.cc files on arm64 builds only.
#include <arm_neon.h>

#include "dsp/fbank_kernel-inl.h"

namespace e2v::dsp {
namespace neon {

/** Transposes the 4x4 block r[0..3] in place. */
inline void Transpose4x4(float32x4_t r[4]) {
  const float32x4x2_t a = vtrnq_f32(r[0], r[1]);  // (r00 r10 r02 r12), (r01 r11 r03 r13)
  const float32x4x2_t b = vtrnq_f32(r[2], r[3]);  // (r20 r30 r22 r32), (r21 r31 r23 r33)
  r[0] = vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0]));
  r[1] = vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1]));
  r[2] = vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0]));
  r[3] = vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1]));
}

/** Four floats, with the operations fbank_kernel-inl.h expects of a vector type. */
struct Vf {
  static constexpr int kLanes = 4;
  float32x4_t v;

  static Vf Load(const float* p) { return {vld1q_f32(p)}; }
  static Vf Broadcast(float x) { return {vdupq_n_f32(x)}; }
  static Vf Zero() { return {vdupq_n_f32(0.0f)}; }
  void Store(float* p) const { vst1q_f32(p, v); }

  static void LoadTransposed(const float* const* rows, int n, float* dst) {
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      float32x4_t r[4];
      for (int l = 0; l < 4; ++l) r[l] = vld1q_f32(rows[l] + j);
      Transpose4x4(r);
      for (int i = 0; i < 4; ++i) vst1q_f32(dst + (j + i) * 4, r[i]);
    }
    for (; j < n; ++j) {
      for (int l = 0; l < 4; ++l) dst[j * 4 + l] = rows[l][j];
    }
  }

  static void StoreTransposed(const float* src, int columns, float* out, int count) {
    int c = 0;
    if (count == 4) {
      for (; c + 4 <= columns; c += 4) {
        float32x4_t r[4];
        for (int i = 0; i < 4; ++i) r[i] = vld1q_f32(src + (c + i) * 4);
        Transpose4x4(r);
        for (int l = 0; l < 4; ++l) vst1q_f32(out + l * columns + c, r[l]);
      }
    }
    for (; c < columns; ++c) {
      for (int l = 0; l < count; ++l) out[l * columns + c] = src[c * 4 + l];
    }
  }
};

inline Vf operator+(Vf a, Vf b) { return {vaddq_f32(a.v, b.v)}; }
inline Vf operator-(Vf a, Vf b) { return {vsubq_f32(a.v, b.v)}; }
inline Vf operator*(Vf a, Vf b) { return {vmulq_f32(a.v, b.v)}; }
inline Vf operator/(Vf a, Vf b) { return {vdivq_f32(a.v, b.v)}; }
inline Vf operator-(Vf a) { return {vnegq_f32(a.v)}; }
inline Vf Sqrt(Vf a) { return {vsqrtq_f32(a.v)}; }
/** a > b ? a : b, lane-wise (NaN in either gives b, as the x86 paths do). */
inline Vf Max(Vf a, Vf b) { return {vbslq_f32(vcgtq_f32(a.v, b.v), a.v, b.v)}; }

inline Vf Frexp(Vf x, Vf* e) {
  const uint32x4_t bits = vreinterpretq_u32_f32(x.v);
  const int32x4_t exponent = vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(bits, 23)), vdupq_n_s32(127));
  const float32x4_t m =
      vreinterpretq_f32_u32(vorrq_u32(vandq_u32(bits, vdupq_n_u32(0x007FFFFFu)), vdupq_n_u32(0x3F800000u)));
  const uint32x4_t big = vcgtq_f32(m, vdupq_n_f32(1.41421356f));
  const float32x4_t one_if_big = vreinterpretq_f32_u32(vandq_u32(big, vreinterpretq_u32_f32(vdupq_n_f32(1.0f))));
  *e = {vaddq_f32(vcvtq_f32_s32(exponent), one_if_big)};
  return {vbslq_f32(big, vmulq_f32(m, vdupq_n_f32(0.5f)), m)};
}

inline Vf SelectFinite(Vf x, Vf r) { return {vbslq_f32(vcltq_f32(x.v, vdupq_n_f32(__builtin_inff())), r.v, x.v)}; }

}  // namespace neon

FbankKernel NeonFbankKernel() { return {neon::Vf::kLanes, &kernel::ComputeBatch<neon::Vf>}; }

}  // namespace e2v::dsp
