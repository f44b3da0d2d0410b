// AVX2 fbank kernel: eight frames per batch (see fbank_kernel-inl.h).
#include <immintrin.h>

#include "dsp/fbank_kernel-inl.h"

namespace e2v::dsp {
namespace avx2 {

/** Transposes the 8x8 block r[0..7] in place (r[i][j] <-> r[j][i]). */
inline void Transpose8x8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]);
  const __m256 t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]);
  const __m256 t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]);
  const __m256 t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]);
  const __m256 t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44);
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44);
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44);
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44);
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/** Eight floats, with the operations fbank_kernel-inl.h expects of a vector type. */
struct Vf {
  static constexpr int kLanes = 8;
  __m256 v;

  static Vf Load(const float* p) { return {_mm256_load_ps(p)}; }
  static Vf Broadcast(float x) { return {_mm256_set1_ps(x)}; }
  static Vf Zero() { return {_mm256_setzero_ps()}; }
  void Store(float* p) const { _mm256_store_ps(p, v); }

  static void LoadTransposed(const float* const* rows, int n, float* dst) {
    int j = 0;
    for (; j + 8 <= n; j += 8) {
      __m256 r[8];
      for (int l = 0; l < 8; ++l) r[l] = _mm256_loadu_ps(rows[l] + j);
      Transpose8x8(r);
      for (int i = 0; i < 8; ++i) _mm256_store_ps(dst + (j + i) * 8, r[i]);
    }
    for (; j < n; ++j) {
      for (int l = 0; l < 8; ++l) dst[j * 8 + l] = rows[l][j];
    }
  }

  static void StoreTransposed(const float* src, int columns, float* out, int count) {
    int c = 0;
    if (count == 8) {
      for (; c + 8 <= columns; c += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; ++i) r[i] = _mm256_load_ps(src + (c + i) * 8);
        Transpose8x8(r);
        for (int l = 0; l < 8; ++l) _mm256_storeu_ps(out + l * columns + c, r[l]);
      }
    }
    for (; c < columns; ++c) {
      for (int l = 0; l < count; ++l) out[l * columns + c] = src[c * 8 + l];
    }
  }
};

inline Vf operator+(Vf a, Vf b) { return {_mm256_add_ps(a.v, b.v)}; }
inline Vf operator-(Vf a, Vf b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline Vf operator*(Vf a, Vf b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline Vf operator/(Vf a, Vf b) { return {_mm256_div_ps(a.v, b.v)}; }
inline Vf operator-(Vf a) { return {_mm256_xor_ps(a.v, _mm256_set1_ps(-0.0f))}; }
inline Vf Sqrt(Vf a) { return {_mm256_sqrt_ps(a.v)}; }
inline Vf Max(Vf a, Vf b) { return {_mm256_max_ps(a.v, b.v)}; }  // a > b ? a : b

inline Vf Frexp(Vf x, Vf* e) {
  const __m256i bits = _mm256_castps_si256(x.v);
  const __m256i exponent = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
  const __m256 m = _mm256_castsi256_ps(
      _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)), _mm256_set1_epi32(0x3F800000)));
  const __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GT_OQ);
  *e = {_mm256_add_ps(_mm256_cvtepi32_ps(exponent), _mm256_and_ps(big, _mm256_set1_ps(1.0f)))};
  return {_mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big)};
}

inline Vf SelectFinite(Vf x, Vf r) {
  return {_mm256_blendv_ps(x.v, r.v, _mm256_cmp_ps(x.v, _mm256_set1_ps(__builtin_inff()), _CMP_LT_OQ))};
}

}  // namespace avx2

FbankKernel Avx2FbankKernel() { return {avx2::Vf::kLanes, &kernel::ComputeBatch<avx2::Vf>}; }

}  // namespace e2v::dsp
