#include "dsp/feature_window.h"

#include <cmath>

namespace e2v::dsp {

std::vector<float> FeatureWindow(WindowType type, int size, double blackman_coeff) {
  constexpr double kPi = 3.14159265358979323846;
  const double a = 2.0 * kPi / (size - 1);
  std::vector<float> window(size);
  for (int n = 0; n < size; ++n) {
    const double hann = 0.5 - 0.5 * std::cos(a * n);
    double w = 1.0;
    switch (type) {
      case WindowType::kHanning:
        w = hann;
        break;
      case WindowType::kHamming:
        w = 0.54 - 0.46 * std::cos(a * n);
        break;
      case WindowType::kPovey:
        w = std::pow(hann, 0.85);
        break;
      case WindowType::kRectangular:
        w = 1.0;
        break;
      case WindowType::kBlackman:
        w = blackman_coeff - 0.5 * std::cos(a * n) + (0.5 - blackman_coeff) * std::cos(2.0 * a * n);
        break;
    }
    window[n] = static_cast<float>(w);
  }
  return window;
}

}  // namespace e2v::dsp
