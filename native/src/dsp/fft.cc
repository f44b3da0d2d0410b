#include "dsp/fft.h"

#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>
#include <utility>

namespace e2v::dsp {
namespace {

constexpr double kPi = 3.14159265358979323846;

/** exp(-2 pi i num / den) with the angle reduced first (num taken modulo den). */
std::complex<double> UnitRoot(long long num, long long den) {
  const long long r = ((num % den) + den) % den;
  const double angle = -2.0 * kPi * static_cast<double>(r) / static_cast<double>(den);
  return {std::cos(angle), std::sin(angle)};
}

/**
 * Splits `size` into radices (4s first, then at most one 2, then odd primes).
 * Returns false when a prime factor exceeds kMaxDirectRadix.
 */
bool Factorize(int size, std::vector<int>* radices) {
  int rest = size;
  while (rest % 4 == 0) {
    radices->push_back(4);
    rest /= 4;
  }
  if (rest % 2 == 0) {
    radices->push_back(2);
    rest /= 2;
  }
  for (int p = 3; p <= kMaxDirectRadix && rest > 1; p += 2) {
    while (rest % p == 0) {
      radices->push_back(p);
      rest /= p;
    }
  }
  return rest == 1;
}

/** In-place forward FFT in double precision; size must be a power of two. */
void PowerOfTwoFft(std::vector<std::complex<double>>* data) {
  std::vector<std::complex<double>>& a = *data;
  const size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; ++i) {  // bit-reversal permutation
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    for (size_t i = 0; i < n; i += len) {
      for (size_t k = 0; k < len / 2; ++k) {
        const std::complex<double> w = UnitRoot(static_cast<long long>(k), static_cast<long long>(len));
        const std::complex<double> u = a[i + k];
        const std::complex<double> v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
      }
    }
  }
}

void PushComplex(std::vector<float>* table, std::complex<double> z) {
  table->push_back(static_cast<float>(z.real()));
  table->push_back(static_cast<float>(z.imag()));
}

}  // namespace

ComplexFftPlan::ComplexFftPlan(int size) {
  if (size < 1) throw std::invalid_argument("FFT size must be >= 1, got " + std::to_string(size));
  std::vector<int> radices;
  if (Factorize(size, &radices)) {
    BuildStages(size, radices);
  } else {
    BuildBluestein(size);
  }
}

void ComplexFftPlan::BuildStages(int size, const std::vector<int>& radices) {
  stage_tables_.resize(radices.size());  // sized once: the stages point into these vectors
  int length = size;
  int stride = 1;
  for (size_t s = 0; s < radices.size(); ++s) {
    const int radix = radices[s];
    StageTables& tables = stage_tables_[s];
    for (int i = 0; i < length / radix; ++i) {
      for (int t = 1; t < radix; ++t) PushComplex(&tables.twiddles, UnitRoot(1LL * i * t, length));
    }
    if (radix >= 5) {
      for (int u = 0; u < radix; ++u) PushComplex(&tables.roots, UnitRoot(u, radix));
    }
    stages_.push_back(
        FftStage{radix, length, stride, tables.twiddles.data(), radix >= 5 ? tables.roots.data() : nullptr});
    length /= radix;
    stride *= radix;
  }
  view_ = FftView{size, static_cast<int>(stages_.size()), stages_.data(), 0, nullptr, nullptr, nullptr};
}

void ComplexFftPlan::BuildBluestein(int size) {
  int conv_size = 1;
  while (conv_size < 2 * size - 1) conv_size *= 2;
  conv_ = std::make_unique<ComplexFftPlan>(conv_size);
  // c[m] = exp(-pi i m^2 / size) = UnitRoot(m^2 mod 2 size, 2 size).
  std::vector<std::complex<double>> chirp(size);
  for (int m = 0; m < size; ++m) {
    chirp[m] = UnitRoot((1LL * m * m) % (2LL * size), 2LL * size);
    PushComplex(&chirp_, chirp[m]);
  }
  std::vector<std::complex<double>> filter(conv_size, {0.0, 0.0});
  for (int m = 0; m < size; ++m) {
    filter[m] = std::conj(chirp[m]);
    if (m > 0) filter[conv_size - m] = std::conj(chirp[m]);
  }
  PowerOfTwoFft(&filter);
  for (const std::complex<double>& z : filter) PushComplex(&filter_spectrum_, z / static_cast<double>(conv_size));
  view_ = FftView{size, 0, nullptr, conv_size, chirp_.data(), filter_spectrum_.data(), &conv_->view()};
}

}  // namespace e2v::dsp
