// Polyphase dot-product kernels of the resampler, one per instruction set.
#ifndef NATIVE_SRC_DSP_RESAMPLE_DOT_H_
#define NATIVE_SRC_DSP_RESAMPLE_DOT_H_

#include <cstdint>

#include "dsp/resample_kernel.h"
#include "dsp/simd/cpu.h"

namespace e2v::dsp {

/**
 * Computes outputs j0 .. j0+count-1 of a kernel that has a table:
 * out[r] = sum_k table[p][k] * x[FirstInput(j) - x_begin + k], k < stride, with
 * j = j0 + r and p = j % n.
 *
 * Every level adds in the same order: 8 lanes, lane l taking the taps k with
 * k % 8 == l in increasing k. Lanes accumulate in float32, except over the
 * groups [mixed_begin, mixed_end) of 8 taps, which each lane accumulates in
 * float64 (the float32 products are exact there); then
 * out = ((t0 + t1) + (t2 + t3)) + ((t4 + t5) + (t6 + t7)), where t_l is the
 * lane's float32 sum (float32 arithmetic, no float64 groups) or its float64
 * sum plus its float32 sum (float64 arithmetic, rounded once at the end).
 * Levels differ only in fused (AVX2, NEON) versus separate (SSE2, scalar on
 * x86) float32 multiply-add.
 *
 * @param [in] kernel the filter (has_table() must be true)
 * @param [in] x input samples; x[0] is absolute input index x_begin. Every
 *   output's window [FirstInput(j), FirstInput(j) + stride) must lie inside x.
 * @param [in] x_begin absolute index of x[0]
 * @param [in] j0 first output index
 * @param [in] count number of outputs
 * @param [out] out `count` floats
 *
 * Every level gives each output the same value wherever it falls in a call
 * (the result does not depend on j0 or count), so streamed and one-shot
 * results agree exactly on a given level.
 */
using PolyphaseFn = void (*)(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
                             float* out);

/** The final sum of a kernel with float64 groups (shared so all levels agree). */
inline float CombineLanes(const float* lanes, const double* exact) {
  double t[8];
  for (int l = 0; l < 8; ++l) t[l] = exact[l] + static_cast<double>(lanes[l]);
  return static_cast<float>(((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7])));
}

/** Where output j sits in a table kernel: frame m = j / n, phase p = j % n. */
struct PolyphasePosition {
  int64_t m;
  int64_t p;

  /** Moves to output j + 1. */
  void Advance(int64_t n) {
    if (++p == n) {
      p = 0;
      ++m;
    }
  }
};

/**
 * Computes out[r] for r in [begin, end) one output at a time as
 * dot(taps, window), starting at `pos` and advancing it. Every level uses this
 * for the outputs outside its whole-frame blocks.
 */
template <typename DotFn>
inline void EachOutput(const ResampleKernel& kernel, const float* x, int64_t x_begin, PolyphasePosition* pos,
                       int64_t begin, int64_t end, float* out, DotFn dot) {
  for (int64_t r = begin; r < end; ++r) {
    out[r] =
        dot(kernel.table() + pos->p * kernel.stride(), x + (pos->m * kernel.o() + kernel.offsets()[pos->p] - x_begin));
    pos->Advance(kernel.n());
  }
}

/** Portable C++ (no SIMD intrinsics). */
void PolyphaseScalar(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
                     float* out);
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
/** SSE2 (4 lanes, separate multiply and add). */
void PolyphaseSse2(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
                   float* out);
/** AVX2 + FMA (8 lanes). */
void PolyphaseAvx2(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
                   float* out);
#endif
#if defined(__aarch64__)
/** NEON (4 lanes, fused multiply-add). */
void PolyphaseNeon(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t j0, int64_t count,
                   float* out);
#endif

/** The kernel for `level` (scalar when this build has no kernel for it). */
PolyphaseFn SelectPolyphase(SimdLevel level);

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_RESAMPLE_DOT_H_
