#include "dsp/mel_banks.h"

#include <algorithm>
#include <cmath>

namespace e2v::dsp {

double MelScale(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }

MelBanks ComputeMelBanks(int num_bins, int padded_window_size, double sample_frequency, double low_freq,
                         double high_freq) {
  const int num_fft_bins = padded_window_size / 2;
  const double fft_bin_width = sample_frequency / padded_window_size;
  const double mel_low = MelScale(low_freq);
  const double mel_delta = (MelScale(high_freq) - mel_low) / (num_bins + 1);
  std::vector<double> fft_mel(num_fft_bins);
  for (int k = 0; k < num_fft_bins; ++k) fft_mel[k] = MelScale(fft_bin_width * k);

  MelBanks banks;
  for (int b = 0; b < num_bins; ++b) {
    const double left = mel_low + b * mel_delta;
    const double center = mel_low + (b + 1.0) * mel_delta;
    const double right = mel_low + (b + 2.0) * mel_delta;
    std::vector<float> row(num_fft_bins);
    for (int k = 0; k < num_fft_bins; ++k) {
      const double up = (fft_mel[k] - left) / (center - left);
      const double down = (right - fft_mel[k]) / (right - center);
      row[k] = static_cast<float>(std::max(0.0, std::min(up, down)));
    }
    // mel(k) increases with k, so the positive weights of a triangle are contiguous.
    int begin = 0;
    while (begin < num_fft_bins && row[begin] <= 0.0f) ++begin;
    int end = begin;
    while (end < num_fft_bins && row[end] > 0.0f) ++end;
    if (begin == end) begin = end = 0;
    banks.begin.push_back(begin);
    banks.end.push_back(end);
    banks.offset.push_back(static_cast<int>(banks.weights.size()));
    banks.weights.insert(banks.weights.end(), row.begin() + begin, row.begin() + end);
  }
  return banks;
}

}  // namespace e2v::dsp
