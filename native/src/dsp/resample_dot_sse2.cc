// SSE2 polyphase kernel (built with -msse2), in the order described in
// resample_dot.h: two 4-lane float32 accumulators stand for the 8 lanes.
#include <emmintrin.h>

#include <algorithm>

#include "dsp/resample_dot.h"

namespace e2v::dsp {
namespace {

// [sum(a), sum(b), sum(c), sum(d)] of 4-lane vectors, each as (l0+l1)+(l2+l3).
inline __m128 Reduce4(__m128 a, __m128 b, __m128 c, __m128 d) {
  // Pairwise sums without SSE3's haddps: even + odd lanes.
  const __m128 ab =
      _mm_add_ps(_mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
  const __m128 cd =
      _mm_add_ps(_mm_shuffle_ps(c, d, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(c, d, _MM_SHUFFLE(3, 1, 3, 1)));
  // ab = [a01, a23, b01, b23], cd = [c01, c23, d01, d23]
  return _mm_add_ps(_mm_shuffle_ps(ab, cd, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(ab, cd, _MM_SHUFFLE(3, 1, 3, 1)));
}

// Float32 lanes (lo: 0-3, hi: 4-7) of h[k] * s[k] over taps [begin, end).
inline void AddFloat(const float* h, const float* s, int64_t begin, int64_t end, __m128* lo, __m128* hi) {
  for (int64_t k = begin; k < end; k += 8) {
    *lo = _mm_add_ps(*lo, _mm_mul_ps(_mm_load_ps(h + k), _mm_loadu_ps(s + k)));
    *hi = _mm_add_ps(*hi, _mm_mul_ps(_mm_load_ps(h + k + 4), _mm_loadu_ps(s + k + 4)));
  }
}

// Float64 lanes of h[k] * s[k] over taps [begin, end) (products of floats are exact in float64).
inline void AddExact(const float* h, const float* s, int64_t begin, int64_t end, double* exact) {
  __m128d e01 = _mm_setzero_pd(), e23 = e01, e45 = e01, e67 = e01;
  for (int64_t k = begin; k < end; k += 8) {
    const __m128 c0 = _mm_load_ps(h + k);
    const __m128 c1 = _mm_load_ps(h + k + 4);
    const __m128 v0 = _mm_loadu_ps(s + k);
    const __m128 v1 = _mm_loadu_ps(s + k + 4);
    e01 = _mm_add_pd(e01, _mm_mul_pd(_mm_cvtps_pd(c0), _mm_cvtps_pd(v0)));
    e23 = _mm_add_pd(e23, _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(c0, c0)), _mm_cvtps_pd(_mm_movehl_ps(v0, v0))));
    e45 = _mm_add_pd(e45, _mm_mul_pd(_mm_cvtps_pd(c1), _mm_cvtps_pd(v1)));
    e67 = _mm_add_pd(e67, _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(c1, c1)), _mm_cvtps_pd(_mm_movehl_ps(v1, v1))));
  }
  _mm_storeu_pd(exact, e01);
  _mm_storeu_pd(exact + 2, e23);
  _mm_storeu_pd(exact + 4, e45);
  _mm_storeu_pd(exact + 6, e67);
}

// One output from window s and coefficients h; float64 over tap range [mb, me).
inline float Dot(const float* h, const float* s, int64_t stride, int64_t mb, int64_t me) {
  __m128 lo = _mm_setzero_ps();
  __m128 hi = lo;
  AddFloat(h, s, 0, mb, &lo, &hi);
  AddFloat(h, s, me, stride, &lo, &hi);
  if (mb == me) {
    const __m128 z = _mm_setzero_ps();
    return _mm_cvtss_f32(_mm_add_ss(Reduce4(lo, z, z, z), Reduce4(hi, z, z, z)));
  }
  float lanes[8];
  double exact[8];
  _mm_storeu_ps(lanes, lo);
  _mm_storeu_ps(lanes + 4, hi);
  AddExact(h, s, mb, me, exact);
  return CombineLanes(lanes, exact);
}

// Float32 lanes of four outputs of one phase in consecutive frames (windows
// s, s + o, s + 2o, s + 3o share the loads of h), over taps [begin, end).
inline void AddFloat4(const float* h, const float* s, int64_t o, int64_t begin, int64_t end, __m128* lo, __m128* hi) {
  const float* s0 = s;
  const float* s1 = s + o;
  const float* s2 = s + 2 * o;
  const float* s3 = s + 3 * o;
  __m128 l0 = lo[0], l1 = lo[1], l2 = lo[2], l3 = lo[3];
  __m128 h0 = hi[0], h1 = hi[1], h2 = hi[2], h3 = hi[3];
  for (int64_t k = begin; k < end; k += 8) {
    const __m128 c0 = _mm_load_ps(h + k);
    const __m128 c1 = _mm_load_ps(h + k + 4);
    l0 = _mm_add_ps(l0, _mm_mul_ps(c0, _mm_loadu_ps(s0 + k)));
    h0 = _mm_add_ps(h0, _mm_mul_ps(c1, _mm_loadu_ps(s0 + k + 4)));
    l1 = _mm_add_ps(l1, _mm_mul_ps(c0, _mm_loadu_ps(s1 + k)));
    h1 = _mm_add_ps(h1, _mm_mul_ps(c1, _mm_loadu_ps(s1 + k + 4)));
    l2 = _mm_add_ps(l2, _mm_mul_ps(c0, _mm_loadu_ps(s2 + k)));
    h2 = _mm_add_ps(h2, _mm_mul_ps(c1, _mm_loadu_ps(s2 + k + 4)));
    l3 = _mm_add_ps(l3, _mm_mul_ps(c0, _mm_loadu_ps(s3 + k)));
    h3 = _mm_add_ps(h3, _mm_mul_ps(c1, _mm_loadu_ps(s3 + k + 4)));
  }
  lo[0] = l0, lo[1] = l1, lo[2] = l2, lo[3] = l3;
  hi[0] = h0, hi[1] = h1, hi[2] = h2, hi[3] = h3;
}

// Four outputs of one phase in consecutive frames, written to sums[0..3].
inline void Dot4Frames(const float* h, const float* s, int64_t o, int64_t stride, int64_t mb, int64_t me, float* sums) {
  __m128 lo[4];
  __m128 hi[4];
  for (int f = 0; f < 4; ++f) lo[f] = hi[f] = _mm_setzero_ps();
  AddFloat4(h, s, o, 0, mb, lo, hi);
  AddFloat4(h, s, o, me, stride, lo, hi);
  if (mb == me) {
    _mm_storeu_ps(sums, _mm_add_ps(Reduce4(lo[0], lo[1], lo[2], lo[3]), Reduce4(hi[0], hi[1], hi[2], hi[3])));
    return;
  }
  for (int f = 0; f < 4; ++f) {
    float lanes[8];
    double exact[8];
    _mm_storeu_ps(lanes, lo[f]);
    _mm_storeu_ps(lanes + 4, hi[f]);
    AddExact(h, s + f * o, mb, me, exact);
    sums[f] = CombineLanes(lanes, exact);
  }
}

}  // namespace

void PolyphaseSse2(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
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
  // Blocks of 4 whole frames, phase by phase.
  for (; count - r >= 4 * n; r += 4 * n, m += 4) {
    for (int64_t q = 0; q < n; ++q) {
      float sums[4];
      Dot4Frames(table + q * stride, x + (m * o + offsets[q] - x_begin), o, stride, mb, me, sums);
      for (int f = 0; f < 4; ++f) out[r + f * n + q] = sums[f];
    }
  }
  // The rest one by one.
  EachOutput(kernel, x, x_begin, &pos, r, count, out, dot);
}

}  // namespace e2v::dsp
