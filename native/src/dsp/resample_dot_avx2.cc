// AVX2 + FMA polyphase kernel (built with -mavx2 -mfma; called only when the
// CPU has both), in the order described in resample_dot.h.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "dsp/resample_dot.h"

namespace e2v::dsp {
namespace {

// Sum of the 8 lanes as ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)).
inline float Sum8(__m256 a) {
  const __m256 h = _mm256_hadd_ps(a, a);
  const __m256 q = _mm256_hadd_ps(h, h);
  return _mm_cvtss_f32(_mm_add_ss(_mm256_castps256_ps128(q), _mm256_extractf128_ps(q, 1)));
}

// Lane sums of a0..a7, in that order, each summed like Sum8.
inline __m256 Reduce8(__m256 a0, __m256 a1, __m256 a2, __m256 a3, __m256 a4, __m256 a5, __m256 a6, __m256 a7) {
  const __m256 b0 = _mm256_hadd_ps(a0, a1);  // [a0 01 23, a1 01 23 | a0 45 67, a1 45 67]
  const __m256 b1 = _mm256_hadd_ps(a2, a3);
  const __m256 b2 = _mm256_hadd_ps(a4, a5);
  const __m256 b3 = _mm256_hadd_ps(a6, a7);
  const __m256 c0 = _mm256_hadd_ps(b0, b1);  // [a0 0123, a1, a2, a3 | a0 4567, a1, a2, a3]
  const __m256 c1 = _mm256_hadd_ps(b2, b3);  // [a4 .. a7 | a4 .. a7]
  const __m256 lo = _mm256_permute2f128_ps(c0, c1, 0x20);
  const __m256 hi = _mm256_permute2f128_ps(c0, c1, 0x31);
  return _mm256_add_ps(lo, hi);
}

// Lanes l of h[k] * s[k] over groups [begin, end) (tap indices, multiples of 8) added to lo (l < 4) and hi.
inline void AddExact(const float* h, const float* s, int64_t begin, int64_t end, __m256d* lo, __m256d* hi) {
  for (int64_t k = begin; k < end; k += 8) {
    const __m256 c = _mm256_load_ps(h + k);
    const __m256 v = _mm256_loadu_ps(s + k);
    const __m256d c_lo = _mm256_cvtps_pd(_mm256_castps256_ps128(c));
    const __m256d c_hi = _mm256_cvtps_pd(_mm256_extractf128_ps(c, 1));
    *lo = _mm256_fmadd_pd(c_lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)), *lo);
    *hi = _mm256_fmadd_pd(c_hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), *hi);
  }
}

// One output from window s and coefficients h; float64 over tap range [mb, me).
inline float Dot(const float* h, const float* s, int64_t stride, int64_t mb, int64_t me) {
  __m256 a = _mm256_setzero_ps();
  for (int64_t k = 0; k < mb; k += 8) a = _mm256_fmadd_ps(_mm256_load_ps(h + k), _mm256_loadu_ps(s + k), a);
  for (int64_t k = me; k < stride; k += 8) a = _mm256_fmadd_ps(_mm256_load_ps(h + k), _mm256_loadu_ps(s + k), a);
  if (mb == me) return Sum8(a);
  __m256d lo = _mm256_setzero_pd();
  __m256d hi = lo;
  AddExact(h, s, mb, me, &lo, &hi);
  alignas(32) float lanes[8];
  alignas(32) double exact[8];
  _mm256_store_ps(lanes, a);
  _mm256_store_pd(exact, lo);
  _mm256_store_pd(exact + 4, hi);
  return CombineLanes(lanes, exact);
}

// 8 samples from p, which is 32-byte aligned when kAligned.
template <bool kAligned>
inline __m256 Load(const float* p) {
  return kAligned ? _mm256_load_ps(p) : _mm256_loadu_ps(p);
}

// Float32 lanes of eight outputs of one phase (windows s[0..7] share the
// coefficients h, so each load of h feeds eight FMAs) over taps [begin, end),
// added to acc[0..7].
template <bool kAligned>
inline void AddFloat8(const float* h, const float* const* s, int64_t begin, int64_t end, __m256* acc) {
  const float* s0 = s[0];
  const float* s1 = s[1];
  const float* s2 = s[2];
  const float* s3 = s[3];
  const float* s4 = s[4];
  const float* s5 = s[5];
  const float* s6 = s[6];
  const float* s7 = s[7];
  __m256 a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
  for (int64_t k = begin; k < end; k += 8) {
    const __m256 c = _mm256_load_ps(h + k);
    a0 = _mm256_fmadd_ps(c, Load<kAligned>(s0 + k), a0);
    a1 = _mm256_fmadd_ps(c, Load<kAligned>(s1 + k), a1);
    a2 = _mm256_fmadd_ps(c, Load<kAligned>(s2 + k), a2);
    a3 = _mm256_fmadd_ps(c, Load<kAligned>(s3 + k), a3);
    a4 = _mm256_fmadd_ps(c, Load<kAligned>(s4 + k), a4);
    a5 = _mm256_fmadd_ps(c, Load<kAligned>(s5 + k), a5);
    a6 = _mm256_fmadd_ps(c, Load<kAligned>(s6 + k), a6);
    a7 = _mm256_fmadd_ps(c, Load<kAligned>(s7 + k), a7);
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3, acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
}

// Eight outputs of one phase from windows s[0..7], written to sums[0..7].
template <bool kAligned>
inline void Dot8(const float* h, const float* const* s, int64_t stride, int64_t mb, int64_t me, float* sums) {
  __m256 acc[8];
  for (__m256& a : acc) a = _mm256_setzero_ps();
  AddFloat8<kAligned>(h, s, 0, mb, acc);
  AddFloat8<kAligned>(h, s, me, stride, acc);
  if (mb == me) {
    _mm256_storeu_ps(sums, Reduce8(acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]));
    return;
  }
  alignas(32) float lanes[8];
  alignas(32) double exact[8];
  for (int f = 0; f < 8; ++f) {
    __m256d lo = _mm256_setzero_pd();
    __m256d hi = lo;
    AddExact(h, s[f], mb, me, &lo, &hi);
    _mm256_store_ps(lanes, acc[f]);
    _mm256_store_pd(exact, lo);
    _mm256_store_pd(exact + 4, hi);
    sums[f] = CombineLanes(lanes, exact);
  }
}

// Long filters are limited by loads of windows that straddle cache lines, so
// for them the frames are processed in chunks whose input is first copied 8
// times, shifted by 0..7 samples: every window then starts on a 32-byte
// boundary in one of the copies. Worth it only while the windows of 8 frames
// in all 8 copies stay in L1 (small o); a chunk holds about kChunkInputs inputs.
constexpr int64_t kShiftedCopiesMinStride = 128;
constexpr int64_t kShiftedCopiesMaxReach = 1280;  // 7 * o + stride, in samples
constexpr int64_t kChunkInputs = 4096;

// 32 bytes of floats: the storage unit of ShiftedCopies (keeps each copy aligned).
struct alignas(32) Block {
  float v[8];
};

class ShiftedCopies {
 public:
  // Copies x[begin - x_begin .. end - x_begin) (absolute indices [begin, end)).
  void Fill(const float* x, int64_t x_begin, int64_t begin, int64_t end) {
    begin_ = begin;
    length_ = (end - begin + 7) / 8 * 8;
    storage_.resize(static_cast<size_t>(length_));  // 8 copies of length_ floats, in blocks of 8
    float* base = reinterpret_cast<float*>(storage_.data());
    for (int64_t a = 0; a < 8; ++a) {
      float* copy = base + a * length_;
      const int64_t count = std::max<int64_t>(0, end - begin - a);
      std::memcpy(copy, x + (begin + a - x_begin), static_cast<size_t>(count) * sizeof(float));
      std::memset(copy + count, 0, static_cast<size_t>(length_ - count) * sizeof(float));
    }
  }
  // Aligned pointer p with p[k] == x[s + k] for the window starting at absolute index s.
  const float* Window(int64_t s) const {
    const int64_t index = s - begin_;
    const int64_t shift = index & 7;
    return reinterpret_cast<const float*>(storage_.data()) + shift * length_ + (index - shift);
  }

 private:
  int64_t begin_ = 0;
  int64_t length_ = 0;
  std::vector<Block> storage_;
};

}  // namespace

void PolyphaseAvx2(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
                   float* out) {
  const int64_t n = kernel.n();
  const int64_t o = kernel.o();
  const int64_t stride = kernel.stride();
  const int64_t mb = kernel.mixed_begin() * 8;
  const int64_t me = kernel.mixed_end() * 8;
  const float* table = kernel.table();
  const int64_t* offsets = kernel.offsets();
  const auto dot = [&](const float* h, const float* s) { return Dot(h, s, stride, mb, me); };
  PolyphasePosition pos{j0 / n, j0 % n};
  // Single outputs up to the start of a frame.
  int64_t r = std::min(count, (n - pos.p) % n);
  EachOutput(kernel, x, x_begin, &pos, 0, r, out, dot);
  int64_t& m = pos.m;
  // Whole frames, 8 at a time, phase by phase.
  const bool shifted = stride >= kShiftedCopiesMinStride && 7 * o + stride <= kShiftedCopiesMaxReach;
  const int64_t chunk_frames = std::max<int64_t>(8, kChunkInputs / o / 8 * 8);
  ShiftedCopies copies;
  while (count - r >= 8 * n) {
    const int64_t frames = std::min(chunk_frames, (count - r) / n / 8 * 8);
    if (shifted) {
      copies.Fill(x, x_begin, m * o + offsets[0], (m + frames - 1) * o + offsets[n - 1] + stride);
    }
    for (int64_t f0 = 0; f0 < frames; f0 += 8) {
      for (int64_t q = 0; q < n; ++q) {
        const float* s[8];
        for (int f = 0; f < 8; ++f) {
          const int64_t first = (m + f0 + f) * o + offsets[q];
          s[f] = shifted ? copies.Window(first) : x + (first - x_begin);
        }
        float sums[8];
        if (shifted) {
          Dot8<true>(table + q * stride, s, stride, mb, me, sums);
        } else {
          Dot8<false>(table + q * stride, s, stride, mb, me, sums);
        }
        for (int f = 0; f < 8; ++f) out[r + (f0 + f) * n + q] = sums[f];
      }
    }
    r += frames * n;
    m += frames;
  }
  // The rest one by one.
  EachOutput(kernel, x, x_begin, &pos, r, count, out, dot);
}

}  // namespace e2v::dsp
