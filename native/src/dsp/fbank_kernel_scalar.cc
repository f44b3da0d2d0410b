// Portable fbank kernel: the pipeline of fbank_kernel-inl.h with one lane of
// plain floats. Its results are the reference the SIMD kernels match bit for bit.
#include <cstdint>
#include <cstring>

#include "dsp/fbank_kernel-inl.h"

namespace e2v::dsp {
namespace scalar {

/** One float, with the operations fbank_kernel-inl.h expects of a vector type. */
struct Vf {
  static constexpr int kLanes = 1;
  float v;

  static Vf Load(const float* p) { return {*p}; }
  static Vf Broadcast(float x) { return {x}; }
  static Vf Zero() { return {0.0f}; }
  void Store(float* p) const { *p = v; }

  static void LoadTransposed(const float* const* rows, int n, float* dst) {
    std::memcpy(dst, rows[0], sizeof(float) * n);
  }
  static void StoreTransposed(const float* src, int columns, float* out, int /*count*/) {
    std::memcpy(out, src, sizeof(float) * columns);
  }
};

inline Vf operator+(Vf a, Vf b) { return {a.v + b.v}; }
inline Vf operator-(Vf a, Vf b) { return {a.v - b.v}; }
inline Vf operator*(Vf a, Vf b) { return {a.v * b.v}; }
inline Vf operator/(Vf a, Vf b) { return {a.v / b.v}; }
inline Vf operator-(Vf a) { return {-a.v}; }
inline Vf Sqrt(Vf a) { return {__builtin_sqrtf(a.v)}; }
inline Vf Max(Vf a, Vf b) { return {a.v > b.v ? a.v : b.v}; }

inline Vf Frexp(Vf x, Vf* e) {
  uint32_t bits;
  std::memcpy(&bits, &x.v, sizeof bits);
  const int32_t exponent = static_cast<int32_t>(bits >> 23) - 127;
  bits = (bits & 0x007FFFFFu) | 0x3F800000u;
  float m;
  std::memcpy(&m, &bits, sizeof m);
  const bool big = m > 1.41421356f;
  *e = {static_cast<float>(exponent) + (big ? 1.0f : 0.0f)};
  return {big ? m * 0.5f : m};
}

inline Vf SelectFinite(Vf x, Vf r) { return {x.v < __builtin_inff() ? r.v : x.v}; }

}  // namespace scalar

FbankKernel ScalarFbankKernel() { return {scalar::Vf::kLanes, &kernel::ComputeBatch<scalar::Vf>}; }

}  // namespace e2v::dsp
