// Kaldi log mel filterbank features with the results of
// torchaudio.compliance.kaldi.fbank (no VTLN, htk_compat false, subtract_mean false).
// Frames are processed several at a time, one per SIMD lane (fbank_kernel-inl.h).
#ifndef NATIVE_SRC_DSP_FBANK_H_
#define NATIVE_SRC_DSP_FBANK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dsp/fbank_kernel.h"
#include "dsp/feature_window.h"
#include "dsp/fft.h"
#include "dsp/simd/cpu.h"

namespace e2v::dsp {

/** Largest window (and padded window) in samples. */
inline constexpr int kMaxFbankWindow = 65536;
/** Highest sample frequency accepted (Hz). */
inline constexpr double kMaxFbankSampleFrequency = 1e6;
/** Largest frame length or shift (ms). */
inline constexpr double kMaxFbankFrameMs = 100000.0;
/** Largest dither amount. */
inline constexpr double kMaxFbankDither = 1e6;
/** Largest dither seed (2^53 - 1, so JS numbers carry it exactly). */
inline constexpr double kMaxFbankDitherSeed = 9007199254740991.0;

/**
 * Options, with Kaldi's meanings and torchaudio's defaults except num_mel_bins
 * (80 here). Validate() names options as docs/design.md spells them (camelCase).
 */
struct FbankOptions {
  double sample_frequency = 16000.0;
  double frame_length_ms = 25.0;
  double frame_shift_ms = 10.0;
  /** Standard deviation of Gaussian noise added to every frame sample; 0 = none. */
  double dither = 0.0;
  /** Seed of the dither noise (active iff dither != 0); same seed, same noise. */
  uint64_t dither_seed = 0;
  double preemphasis_coefficient = 0.97;
  bool remove_dc_offset = true;
  WindowType window_type = WindowType::kPovey;
  /** Active iff window_type == kBlackman. */
  double blackman_coeff = 0.42;
  bool round_to_power_of_two = true;
  int num_mel_bins = 80;
  double low_freq = 20.0;
  /** <= 0 means an offset from the Nyquist frequency. */
  double high_freq = 0.0;
  /** Adds the log energy as column 0. */
  bool use_energy = false;
  /** Energy before pre-emphasis and windowing (active iff use_energy). */
  bool raw_energy = true;
  /** Floor on the energy, applied as max(log E, log floor) iff > 0 (active iff use_energy). */
  double energy_floor = 1.0;
  bool snip_edges = true;
  bool use_log_fbank = true;
  /** Power spectrum if true, magnitude spectrum if false. */
  bool use_power = true;

  /** Empty when the options are usable, else a message naming the first bad option. */
  std::string Validate() const;
  /** Window length in samples: int(sample_frequency * frame_length_ms * 0.001). */
  int64_t WindowSize() const;
  /** Window shift in samples: int(sample_frequency * frame_shift_ms * 0.001). */
  int64_t WindowShift() const;
  /** FFT size: WindowSize() rounded up to a power of two if round_to_power_of_two. */
  int64_t PaddedWindowSize() const;
  /** high_freq resolved: high_freq if > 0, else Nyquist + high_freq. */
  double ResolvedHighFreq() const;
  /** Columns of the output: num_mel_bins, plus 1 with use_energy. */
  int Dim() const { return num_mel_bins + (use_energy ? 1 : 0); }
  /**
   * Frames for `num_samples` samples: 1 + (n - window) / shift (0 when n < window)
   * with snip_edges, else (n + shift / 2) / shift. Requires valid options.
   */
  int64_t NumFrames(int64_t num_samples) const;
};

/** Field-by-field equality (a cache key). */
bool operator==(const FbankOptions& a, const FbankOptions& b);
inline bool operator!=(const FbankOptions& a, const FbankOptions& b) { return !(a == b); }

/** Index of the first NaN or infinite value of samples[0, n), or -1 when all are finite. */
int64_t FirstNonFinite(const float* samples, int64_t n);

/** Reusable scratch memory for FbankComputer::Compute; use one per thread at a time. */
class FbankWorkspace {
 public:
  /** 64-byte-aligned room for `floats` floats, valid until the next Reserve(). */
  float* Reserve(size_t floats);

 private:
  struct AlignedDelete {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], AlignedDelete> data_;
  size_t capacity_ = 0;
};

/**
 * Computes fbank features for one option set. Construction precomputes the
 * window, FFT twiddles and mel weights; Compute() is const and thread-safe.
 */
class FbankComputer {
 public:
  /** @throws std::invalid_argument when opts.Validate() reports a problem */
  explicit FbankComputer(const FbankOptions& opts);
  FbankComputer(const FbankComputer&) = delete;
  FbankComputer& operator=(const FbankComputer&) = delete;

  const FbankOptions& options() const { return opts_; }
  /** Output columns. */
  int Dim() const { return opts_.Dim(); }
  /** Output rows for `num_samples` input samples. */
  int64_t NumFrames(int64_t num_samples) const { return opts_.NumFrames(num_samples); }

  /**
   * Writes NumFrames(num_samples) x Dim() features, row-major, to `out`.
   * Inputs shorter than a frame follow Kaldi (0 frames with snip_edges,
   * reflected frames without).
   * @param samples [in] num_samples finite values (any scale)
   * @param simd [in] instruction set to use (one the CPU supports; lowered to what this build has)
   * @param workspace [in,out] scratch memory, grown as needed and kept for the next call
   * @param out [out] NumFrames(num_samples) * Dim() floats
   */
  void Compute(const float* samples, int64_t num_samples, SimdLevel simd, FbankWorkspace* workspace, float* out) const;

 private:
  /** Start of frame `frame` in the input (may be negative without snip_edges). */
  int64_t FrameStart(int64_t frame) const;
  /**
   * Pointer to frame `frame`'s window_size samples: into `samples` when the
   * frame lies inside and there is no dither, else built in `buffer`
   * (reflected at the edges, dither added).
   */
  const float* FrameSamples(const float* samples, int64_t num_samples, int64_t frame, float* buffer) const;

  FbankOptions opts_;
  int window_size_;
  int window_shift_;
  std::vector<float> window_;
  std::unique_ptr<ComplexFftPlan> fft_;
  std::vector<float> split_twiddles_;
  std::vector<int> mel_begin_;
  std::vector<int> mel_end_;
  std::vector<int> mel_offset_;
  std::vector<float> mel_weights_;
  FbankKernelPlan plan_{};
};

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_FBANK_H_
