// Kaldi's triangular mel filterbank (no VTLN warping), stored sparsely.
#ifndef NATIVE_SRC_DSP_MEL_BANKS_H_
#define NATIVE_SRC_DSP_MEL_BANKS_H_

#include <vector>

namespace e2v::dsp {

/** mel(f) = 1127 ln(1 + f / 700). */
double MelScale(double hz);

/**
 * Filter b covers FFT bins [begin[b], end[b]) with weights
 * weights[offset[b] + (k - begin[b])], all > 0. An empty range (begin == end)
 * means the filter falls between FFT bins and always gives 0.
 */
struct MelBanks {
  std::vector<int> begin;
  std::vector<int> end;
  std::vector<int> offset;
  std::vector<float> weights;
};

/**
 * Filters as torchaudio.compliance.kaldi.get_mel_banks builds them: num_bins + 2
 * points equally spaced in mel between low_freq and high_freq, triangles
 * evaluated at mel(k * sample_frequency / padded_window_size) for
 * k in [0, padded_window_size / 2). Arguments are assumed valid
 * (FbankOptions::Validate); high_freq is already resolved (> 0).
 */
MelBanks ComputeMelBanks(int num_bins, int padded_window_size, double sample_frequency, double low_freq,
                         double high_freq);

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_MEL_BANKS_H_
