// SSE2 fbank kernel: four frames per batch (see fbank_kernel-inl.h).
#include <emmintrin.h>

#include "dsp/fbank_kernel-inl.h"

namespace e2v::dsp {
namespace sse2 {

/** Four floats, with the operations fbank_kernel-inl.h expects of a vector type. */
struct Vf {
  static constexpr int kLanes = 4;
  __m128 v;

  static Vf Load(const float* p) { return {_mm_load_ps(p)}; }
  static Vf Broadcast(float x) { return {_mm_set1_ps(x)}; }
  static Vf Zero() { return {_mm_setzero_ps()}; }
  void Store(float* p) const { _mm_store_ps(p, v); }

  static void LoadTransposed(const float* const* rows, int n, float* dst) {
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      __m128 r0 = _mm_loadu_ps(rows[0] + j);
      __m128 r1 = _mm_loadu_ps(rows[1] + j);
      __m128 r2 = _mm_loadu_ps(rows[2] + j);
      __m128 r3 = _mm_loadu_ps(rows[3] + j);
      _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
      _mm_store_ps(dst + j * 4, r0);
      _mm_store_ps(dst + j * 4 + 4, r1);
      _mm_store_ps(dst + j * 4 + 8, r2);
      _mm_store_ps(dst + j * 4 + 12, r3);
    }
    for (; j < n; ++j) {
      for (int l = 0; l < 4; ++l) dst[j * 4 + l] = rows[l][j];
    }
  }

  static void StoreTransposed(const float* src, int columns, float* out, int count) {
    int c = 0;
    if (count == 4) {
      for (; c + 4 <= columns; c += 4) {
        __m128 r0 = _mm_load_ps(src + c * 4);
        __m128 r1 = _mm_load_ps(src + c * 4 + 4);
        __m128 r2 = _mm_load_ps(src + c * 4 + 8);
        __m128 r3 = _mm_load_ps(src + c * 4 + 12);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        _mm_storeu_ps(out + c, r0);
        _mm_storeu_ps(out + columns + c, r1);
        _mm_storeu_ps(out + 2 * columns + c, r2);
        _mm_storeu_ps(out + 3 * columns + c, r3);
      }
    }
    for (; c < columns; ++c) {
      for (int l = 0; l < count; ++l) out[l * columns + c] = src[c * 4 + l];
    }
  }
};

inline Vf operator+(Vf a, Vf b) { return {_mm_add_ps(a.v, b.v)}; }
inline Vf operator-(Vf a, Vf b) { return {_mm_sub_ps(a.v, b.v)}; }
inline Vf operator*(Vf a, Vf b) { return {_mm_mul_ps(a.v, b.v)}; }
inline Vf operator/(Vf a, Vf b) { return {_mm_div_ps(a.v, b.v)}; }
inline Vf operator-(Vf a) { return {_mm_xor_ps(a.v, _mm_set1_ps(-0.0f))}; }
inline Vf Sqrt(Vf a) { return {_mm_sqrt_ps(a.v)}; }
inline Vf Max(Vf a, Vf b) { return {_mm_max_ps(a.v, b.v)}; }  // a > b ? a : b

/** mask ? a : b. */
inline __m128 Blend(__m128 mask, __m128 a, __m128 b) { return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b)); }

inline Vf Frexp(Vf x, Vf* e) {
  const __m128i bits = _mm_castps_si128(x.v);
  const __m128i exponent = _mm_sub_epi32(_mm_srli_epi32(bits, 23), _mm_set1_epi32(127));
  const __m128 m =
      _mm_castsi128_ps(_mm_or_si128(_mm_and_si128(bits, _mm_set1_epi32(0x007FFFFF)), _mm_set1_epi32(0x3F800000)));
  const __m128 big = _mm_cmpgt_ps(m, _mm_set1_ps(1.41421356f));
  *e = {_mm_add_ps(_mm_cvtepi32_ps(exponent), _mm_and_ps(big, _mm_set1_ps(1.0f)))};
  return {Blend(big, _mm_mul_ps(m, _mm_set1_ps(0.5f)), m)};
}

inline Vf SelectFinite(Vf x, Vf r) { return {Blend(_mm_cmplt_ps(x.v, _mm_set1_ps(__builtin_inff())), r.v, x.v)}; }

}  // namespace sse2

FbankKernel Sse2FbankKernel() { return {sse2::Vf::kLanes, &kernel::ComputeBatch<sse2::Vf>}; }

}  // namespace e2v::dsp
