// Complex FFT plans of any size: mixed-radix Stockham stages (radix 4, 2, 3 and
// odd primes up to kMaxDirectRadix), or Bluestein's chirp-z algorithm for sizes
// with a larger prime factor. A plan only holds precomputed tables; the
// transforms run in the SIMD kernels (fft_kernel-inl.h), which process several
// independent signals at once, one per vector lane.
#ifndef NATIVE_SRC_DSP_FFT_H_
#define NATIVE_SRC_DSP_FFT_H_

#include <cstddef>
#include <memory>
#include <vector>

namespace e2v::dsp {

/** Largest prime radix done as a direct butterfly; larger primes use Bluestein. */
inline constexpr int kMaxDirectRadix = 31;

/**
 * One Stockham decimation-in-frequency stage: `length / radix` butterflies of
 * radix `radix` on each of `stride` interleaved sub-sequences.
 */
struct FftStage {
  int radix;
  int length;
  int stride;
  /** W_length^(i*t) for i in [0, length/radix), t in [1, radix): (re, im) pairs. */
  const float* twiddles;
  /** exp(-2 pi i u / radix) for u in [0, radix): (re, im) pairs; radices >= 5 only. */
  const float* roots;
};

/**
 * Plain view of a plan, read by the kernels (no member functions, so the
 * per-ISA kernel files share no inline code with the rest of the library).
 */
struct FftView {
  /** Transform size. */
  int size;
  /** Stages in execution order; 0 stages means size 1 or Bluestein. */
  int num_stages;
  const FftStage* stages;
  /** Bluestein: power-of-two convolution size, or 0 for a direct plan. */
  int conv_size;
  /** Bluestein: exp(-pi i m^2 / size) for m in [0, size): (re, im) pairs. */
  const float* chirp;
  /** Bluestein: FFT of the conjugate chirp filter, divided by conv_size: (re, im) pairs. */
  const float* filter_spectrum;
  /** Bluestein: the direct plan of size conv_size. */
  const FftView* conv;
};

/**
 * Precomputed tables for a forward complex FFT of one size
 * (X[k] = sum_m x[m] exp(-2 pi i m k / size)).
 */
class ComplexFftPlan {
 public:
  /** @param size transform size, >= 1 */
  explicit ComplexFftPlan(int size);
  ComplexFftPlan(const ComplexFftPlan&) = delete;
  ComplexFftPlan& operator=(const ComplexFftPlan&) = delete;

  /** The view the kernels execute. Valid as long as the plan lives. */
  const FftView& view() const { return view_; }

 private:
  /** Twiddles and roots of one stage, (re, im) pairs. */
  struct StageTables {
    std::vector<float> twiddles;
    std::vector<float> roots;
  };

  void BuildStages(int size, const std::vector<int>& radices);
  void BuildBluestein(int size);

  std::vector<FftStage> stages_;
  std::vector<StageTables> stage_tables_;
  std::unique_ptr<ComplexFftPlan> conv_;
  std::vector<float> chirp_;
  std::vector<float> filter_spectrum_;
  FftView view_{};
};

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_FFT_H_
