// Polyphase windowed-sinc kernels for rational resampling (torchaudio parity
// and a very-high-quality Kaiser design).
#ifndef NATIVE_SRC_DSP_RESAMPLE_KERNEL_H_
#define NATIVE_SRC_DSP_RESAMPLE_KERNEL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace e2v::dsp {

/** Which filter a resampler uses. */
enum class ResampleQuality {
  /**
   * torchaudio.functional.resample with its defaults: Hann-windowed sinc,
   * lowpass_filter_width 6, rolloff 0.99.
   */
  kParity,
  /**
   * Kaiser-windowed sinc: passband flat (< 0.01 dB) to 0.45 x the lower rate,
   * >= 140 dB rejection from 0.5 x the lower rate up.
   */
  kVhq,
};

/** Parameters of a resampler. */
struct ResampleOptions {
  /** Input rate in Hz; 1 .. kMaxSampleRate. */
  int64_t from_hz = 16000;
  /** Output rate in Hz; 1 .. kMaxSampleRate. */
  int64_t to_hz = 16000;
  /** Filter design. */
  ResampleQuality quality = ResampleQuality::kParity;

  /** Highest rate accepted (Hz). */
  static constexpr int64_t kMaxSampleRate = 1000000;

  /** Throws std::invalid_argument naming the first bad field. */
  void Validate() const;
};

/**
 * Number of outputs for `input_length` inputs: ceil(to * input_length / from)
 * (with the ratio reduced by the gcd first, as torchaudio does). Throws
 * std::length_error when that does not fit in int64_t.
 */
int64_t ResampledLength(int64_t from_hz, int64_t to_hz, int64_t input_length);

/**
 * The filter of one reduced rate pair o -> n (o = from/g, n = to/g, g = gcd).
 *
 * Output j = m*n + p (phase p in [0, n)) reads the `width()` inputs starting at
 * absolute index FirstInput(j) = m*o + offsets()[p]; inputs outside the signal are
 * zero. FirstInput is non-decreasing in j.
 *
 * When n * stride is small (kMaxTableCoefficients) the coefficients are stored
 * as a float32 table of n rows of `stride()` floats (a multiple of 8, the tail
 * zero-padded, 32-byte aligned) for the SIMD kernels; otherwise has_table() is
 * false and Coefficient() evaluates them on demand in float64.
 *
 * Immutable after construction, so one instance can be shared between threads.
 */
class ResampleKernel {
 public:
  /** Largest table built (float32 values); larger kernels are evaluated on demand. */
  static constexpr int64_t kMaxTableCoefficients = int64_t{1} << 21;

  /**
   * Designs the filter.
   * @param [in] options rates and quality (validated: throws std::invalid_argument)
   */
  explicit ResampleKernel(const ResampleOptions& options);

  ResampleKernel(const ResampleKernel&) = delete;
  ResampleKernel& operator=(const ResampleKernel&) = delete;

  /** The options it was designed for. */
  const ResampleOptions& options() const { return options_; }
  /** Reduced input rate o. */
  int64_t o() const { return o_; }
  /** Reduced output rate n (number of phases). */
  int64_t n() const { return n_; }
  /** True when from == to: the output is a copy of the input. */
  bool identity() const { return o_ == 1 && n_ == 1; }
  /** Non-zero taps of the longest phase. */
  int64_t taps() const { return taps_; }
  /** Row length of the table (taps rounded up to a multiple of 8). */
  int64_t stride() const { return stride_; }
  /** Whether the float32 table exists (else use Coefficient()). */
  bool has_table() const { return !table_.empty(); }
  /** Inputs each output reads: stride() with a table, taps() without. */
  int64_t width() const { return has_table() ? stride_ : taps_; }
  /**
   * Groups of 8 taps [mixed_begin(), mixed_end()) that the kernels accumulate
   * in float64 (the main lobe and two side lobes of the vhq sinc, where the
   * largest products meet); the other taps are accumulated in float32. Empty
   * for parity (float32 throughout, like torchaudio). For vhq it moves the
   * rounding noise of tones whose errors repeat every output (a full-scale
   * 16 kHz tone at 48 kHz -> 16 kHz, aliased to 0 Hz) from -138 dB to -148 dB.
   */
  int64_t mixed_begin() const { return mixed_begin_; }
  /** End of the float64 groups (see mixed_begin()). */
  int64_t mixed_end() const { return mixed_end_; }
  /** Pointer to the n x stride table, 32-byte aligned (nullptr when !has_table()). */
  const float* table() const { return has_table() ? table_.front().taps : nullptr; }
  /** First input of each phase p relative to m*o (n values, non-decreasing, usually negative). */
  const int64_t* offsets() const { return offsets_.data(); }

  /** Absolute index of the first input read by output j (j >= 0). */
  int64_t FirstInput(int64_t j) const { return (j / n_) * o_ + offsets_[static_cast<size_t>(j % n_)]; }

  /** Smallest j >= 0 with FirstInput(j) >= v. */
  int64_t FirstOutputReadingFrom(int64_t v) const;

  /** ResampledLength() for this rate pair. */
  int64_t OutputLength(int64_t input_length) const;

  /** Coefficient k of phase p in float64 (0 <= k < taps()). */
  double Coefficient(int64_t p, int64_t k) const;

 private:
  // Eight taps, 32-byte aligned for the SIMD kernels (C++17 aligned new).
  struct alignas(32) TapBlock {
    float taps[8];
  };

  double Evaluate(int64_t numerator) const;
  void BuildTable();

  ResampleOptions options_;
  int64_t o_ = 1;
  int64_t n_ = 1;
  int64_t taps_ = 1;
  int64_t stride_ = 8;
  int64_t mixed_begin_ = 0;
  int64_t mixed_end_ = 0;
  std::vector<int64_t> offsets_;
  // Design: kernel(t) for t = numerator / (o*n) seconds x g.
  double half_width_ = 0;        // support |t| <= half_width_ (in 1/g seconds)
  double scale_ = 1;             // overall gain factor
  double sinc_rate_ = 1;         // parity: base (cycles per 1/g s); vhq: 2 fc
  double kaiser_beta_ = 0;       // vhq only
  double inv_i0_beta_ = 1;       // vhq only
  std::vector<TapBlock> table_;  // n rows of stride / 8 blocks
};

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_RESAMPLE_KERNEL_H_
