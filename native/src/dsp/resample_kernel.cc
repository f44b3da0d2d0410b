#include "dsp/resample_kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace e2v::dsp {
namespace {

constexpr double kPi = 3.14159265358979323846;

// torchaudio.functional.resample defaults.
constexpr double kParityLowpassWidth = 6.0;
constexpr double kParityRolloff = 0.99;

// Very-high-quality design, as fractions of the lower of the two rates.
constexpr double kVhqPassband = 0.45;
constexpr double kVhqStopband = 0.5;
// Kaiser design attenuation. Kaiser's length formula is a little optimistic at
// this depth: 148 dB here gives 143.7 dB (48 -> 16 kHz) to 147 dB
// (44.1 -> 16 kHz) at the stopband edge with the float32 taps, leaving margin
// over the 140 dB spec.
constexpr double kVhqAttenuationDb = 148.0;
// Sinc zero crossings on each side of the centre accumulated in float64.
constexpr double kVhqExactLobes = 3.0;

// Modified Bessel function of the first kind, order 0 (power series; x <= ~20 here).
double BesselI0(double x) {
  const double q = 0.25 * x * x;
  double term = 1.0;
  double sum = 1.0;
  for (int k = 1; k < 500; ++k) {
    term *= q / (static_cast<double>(k) * static_cast<double>(k));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

}  // namespace

void ResampleOptions::Validate() const {
  if (from_hz < 1 || from_hz > kMaxSampleRate) {
    throw std::invalid_argument("fromHz must be an integer in [1, 1000000], got " + std::to_string(from_hz));
  }
  if (to_hz < 1 || to_hz > kMaxSampleRate) {
    throw std::invalid_argument("toHz must be an integer in [1, 1000000], got " + std::to_string(to_hz));
  }
  if (quality != ResampleQuality::kParity && quality != ResampleQuality::kVhq) {
    throw std::invalid_argument("quality must be 'parity' or 'vhq'");
  }
}

ResampleKernel::ResampleKernel(const ResampleOptions& options) : options_(options) {
  options_.Validate();
  const int64_t g = std::gcd(options_.from_hz, options_.to_hz);
  o_ = options_.from_hz / g;
  n_ = options_.to_hz / g;
  const double low = static_cast<double>(std::min(o_, n_));

  // t = i/o - j/n (in units of 1/g seconds); kernel(t) = scale * sinc(pi * rate * t) * window(t / half_width).
  if (options_.quality == ResampleQuality::kParity) {
    const double base = low * kParityRolloff;
    sinc_rate_ = base;
    half_width_ = kParityLowpassWidth / base;
  } else {
    const double transition = (kVhqStopband - kVhqPassband) * low;
    sinc_rate_ = (kVhqStopband + kVhqPassband) * low;  // 2 * cutoff, cutoff mid-transition
    // Kaiser: length = (A - 7.95) / (14.36 * transition / rate), so half of it in time:
    half_width_ = (kVhqAttenuationDb - 7.95) / (28.72 * transition);
    kaiser_beta_ = 0.1102 * (kVhqAttenuationDb - 8.7);
    inv_i0_beta_ = 1.0 / BesselI0(kaiser_beta_);
  }
  scale_ = sinc_rate_ / static_cast<double>(o_);

  if (identity()) {
    offsets_.assign(1, 0);
    taps_ = 1;
    stride_ = 8;
    return;
  }

  // Output j = m*n + p is centred on input m*o + p*o/n and reads |i - centre| <= reach.
  const double reach = half_width_ * static_cast<double>(o_);
  offsets_.resize(static_cast<size_t>(n_));
  taps_ = 1;
  for (int64_t p = 0; p < n_; ++p) {
    const double centre = static_cast<double>(p * o_) / static_cast<double>(n_);
    const auto first = static_cast<int64_t>(std::ceil(centre - reach));
    const auto last = static_cast<int64_t>(std::floor(centre + reach));
    offsets_[static_cast<size_t>(p)] = first;
    taps_ = std::max(taps_, last - first + 1);
  }
  stride_ = (taps_ + 7) / 8 * 8;
  if (options_.quality == ResampleQuality::kVhq) {
    // Row index of the centre is in [reach - 1, reach]; the sinc's zeros are o / sinc_rate_ inputs apart.
    const double lobes = kVhqExactLobes * static_cast<double>(o_) / sinc_rate_;
    const int64_t groups = stride_ / 8;
    mixed_begin_ = std::clamp<int64_t>(static_cast<int64_t>(std::floor((reach - 1 - lobes) / 8)), 0, groups);
    mixed_end_ = std::clamp<int64_t>(static_cast<int64_t>(std::ceil((reach + 1 + lobes) / 8)), mixed_begin_, groups);
  }
  if (n_ <= kMaxTableCoefficients / stride_) BuildTable();
}

double ResampleKernel::Evaluate(int64_t numerator) const {
  // t = numerator / (o*n); o*n <= 1e12 and numerator are exact in double.
  const double t = static_cast<double>(numerator) / (static_cast<double>(o_) * static_cast<double>(n_));
  const double ratio = t / half_width_;
  if (ratio > 1.0 || ratio < -1.0) return 0.0;
  const double x = kPi * sinc_rate_ * t;
  const double sinc = x == 0.0 ? 1.0 : std::sin(x) / x;
  double window;
  if (options_.quality == ResampleQuality::kParity) {
    const double c = std::cos(0.5 * kPi * ratio);
    window = c * c;
  } else {
    window = BesselI0(kaiser_beta_ * std::sqrt(1.0 - ratio * ratio)) * inv_i0_beta_;
  }
  return scale_ * sinc * window;
}

double ResampleKernel::Coefficient(int64_t p, int64_t k) const {
  if (identity()) return k == 0 ? 1.0 : 0.0;
  return Evaluate((offsets_[static_cast<size_t>(p)] + k) * n_ - p * o_);
}

void ResampleKernel::BuildTable() {
  table_.resize(static_cast<size_t>(n_ * stride_ / 8));
  float* row = table_.front().taps;
  for (int64_t p = 0; p < n_; ++p, row += stride_) {
    for (int64_t k = 0; k < stride_; ++k) {
      row[k] = k < taps_ ? static_cast<float>(Coefficient(p, k)) : 0.0f;
    }
  }
}

int64_t ResampleKernel::FirstOutputReadingFrom(int64_t v) const {
  // FirstInput(j) >= m*o + offset(0) for j in frame m, so frame hi reaches v.
  int64_t lo = 0;
  const int64_t frames = v - offsets_[0] > 0 ? (v - offsets_[0]) / o_ + 1 : 0;
  int64_t hi = frames * n_;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (FirstInput(mid) >= v) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

int64_t ResampleKernel::OutputLength(int64_t input_length) const { return ResampledLength(o_, n_, input_length); }

int64_t ResampledLength(int64_t from_hz, int64_t to_hz, int64_t input_length) {
  if (input_length <= 0 || from_hz <= 0 || to_hz <= 0) return 0;
  const int64_t g = std::gcd(from_hz, to_hz);
  const int64_t o = from_hz / g;
  const int64_t n = to_hz / g;
  if (input_length > (std::numeric_limits<int64_t>::max() - o) / n) {
    throw std::length_error("resample output length overflows");
  }
  return (input_length * n + o - 1) / o;
}

}  // namespace e2v::dsp
