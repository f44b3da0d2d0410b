// Analysis windows of Kaldi's feature extraction (symmetric, as torchaudio's
// compliance.kaldi builds them).
#ifndef NATIVE_SRC_DSP_FEATURE_WINDOW_H_
#define NATIVE_SRC_DSP_FEATURE_WINDOW_H_

#include <vector>

namespace e2v::dsp {

/** Window shapes (Kaldi's --window-type). */
enum class WindowType { kPovey, kHamming, kHanning, kRectangular, kBlackman };

/**
 * The window of `size` samples (size >= 2), computed in double and rounded to float.
 * hanning = 0.5 - 0.5 cos(a n), hamming = 0.54 - 0.46 cos(a n), povey = hanning^0.85,
 * blackman = c - 0.5 cos(a n) + (0.5 - c) cos(2 a n), with a = 2 pi / (size - 1).
 * @param blackman_coeff c above; used by kBlackman only
 */
std::vector<float> FeatureWindow(WindowType type, int size, double blackman_coeff);

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_FEATURE_WINDOW_H_
