#include "dsp/fbank.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "dsp/mel_banks.h"

namespace e2v::dsp {
namespace {

constexpr int kMaxLanes = 8;
constexpr double kPi = 3.14159265358979323846;

constexpr std::align_val_t kAlignment{64};

/** Rounds a float count up to whole 64-byte lines. */
size_t RoundUp(size_t floats) { return (floats + 15) / 16 * 16; }

/** Formats a number the way the messages show it. */
std::string Num(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

/** "Expected ... in [lo, hi] for name but received value", or "" when value is in range (NaN is not). */
std::string CheckRange(const char* name, double value, double lo, double hi, bool open_low = false) {
  const bool low_ok = open_low ? value > lo : value >= lo;
  if (low_ok && value <= hi) return "";
  return std::string("Expected a number in ") + (open_low ? "(" : "[") + Num(lo) + ", " + Num(hi) + "] for " + name +
         " but received " + Num(value);
}

/** SplitMix64: the next 64 random bits of the stream in `state`. */
uint64_t NextRandom(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/** The best kernel this build has at or below `simd`. */
FbankKernel SelectKernel(SimdLevel simd) {
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
  if (simd == SimdLevel::kAvx2) return Avx2FbankKernel();
  if (simd == SimdLevel::kSse2) return Sse2FbankKernel();
#elif defined(__aarch64__)
  if (simd == SimdLevel::kNeon) return NeonFbankKernel();
#endif
  return ScalarFbankKernel();
}

}  // namespace

std::string FbankOptions::Validate() const {
  std::string problem;
  const auto first = [&problem](std::string p) {
    if (problem.empty()) problem = std::move(p);
  };
  first(CheckRange("sampleFrequency", sample_frequency, 1.0, kMaxFbankSampleFrequency));
  first(CheckRange("frameLengthMs", frame_length_ms, 0.0, kMaxFbankFrameMs, true));
  first(CheckRange("frameShiftMs", frame_shift_ms, 0.0, kMaxFbankFrameMs, true));
  first(CheckRange("dither", dither, 0.0, kMaxFbankDither));
  if (static_cast<double>(dither_seed) > kMaxFbankDitherSeed) {
    first("Expected an integer in [0, " + Num(kMaxFbankDitherSeed) + "] for ditherSeed");
  }
  first(CheckRange("preemphasisCoefficient", preemphasis_coefficient, 0.0, 1.0));
  first(CheckRange("blackmanCoeff", blackman_coeff, 0.0, 1.0));
  first(CheckRange("numMelBins", num_mel_bins, 1.0, kMaxFbankWindow / 2));
  first(CheckRange("lowFreq", low_freq, 0.0, kMaxFbankSampleFrequency));
  first(CheckRange("highFreq", high_freq, -kMaxFbankSampleFrequency, kMaxFbankSampleFrequency));
  first(CheckRange("energyFloor", energy_floor, 0.0, 1e30));
  if (!problem.empty()) return problem;

  const int64_t window = WindowSize();
  if (window < 2 || window > kMaxFbankWindow) {
    return "frameLengthMs " + Num(frame_length_ms) + " gives a window of " + std::to_string(window) +
           " samples at sampleFrequency " + Num(sample_frequency) + "; expected 2 to " +
           std::to_string(kMaxFbankWindow);
  }
  if (WindowShift() < 1) {
    return "frameShiftMs " + Num(frame_shift_ms) + " gives a shift of 0 samples at sampleFrequency " +
           Num(sample_frequency) + "; expected at least 1";
  }
  if (!round_to_power_of_two && window % 2 != 0) {
    return "frameLengthMs " + Num(frame_length_ms) + " gives an odd window of " + std::to_string(window) +
           " samples; with roundToPowerOfTwo false the window must be even";
  }
  const int64_t fft_bins = PaddedWindowSize() / 2;
  if (num_mel_bins > fft_bins) {
    return "numMelBins " + std::to_string(num_mel_bins) + " exceeds the " + std::to_string(fft_bins) +
           " FFT bins of a " + std::to_string(PaddedWindowSize()) + "-point FFT";
  }
  const double nyquist = 0.5 * sample_frequency;
  if (low_freq >= nyquist) {
    return "lowFreq " + Num(low_freq) + " must be below the Nyquist frequency " + Num(nyquist);
  }
  const double high = ResolvedHighFreq();
  if (!(high > 0.0 && high <= nyquist)) {
    return "highFreq " + Num(high_freq) + " resolves to " + Num(high) + " Hz; expected in (0, " + Num(nyquist) +
           "] (values <= 0 are offsets from the Nyquist frequency)";
  }
  if (low_freq >= high) {
    return "lowFreq " + Num(low_freq) + " must be below highFreq (" + Num(high) + " Hz)";
  }
  return "";
}

int64_t FbankOptions::WindowSize() const { return static_cast<int64_t>(sample_frequency * frame_length_ms * 0.001); }

int64_t FbankOptions::WindowShift() const { return static_cast<int64_t>(sample_frequency * frame_shift_ms * 0.001); }

int64_t FbankOptions::PaddedWindowSize() const {
  const int64_t window = WindowSize();
  if (!round_to_power_of_two) return window;
  int64_t padded = 1;
  while (padded < window) padded *= 2;
  return padded;
}

double FbankOptions::ResolvedHighFreq() const {
  return high_freq > 0.0 ? high_freq : 0.5 * sample_frequency + high_freq;
}

int64_t FbankOptions::NumFrames(int64_t num_samples) const {
  const int64_t window = WindowSize();
  const int64_t shift = WindowShift();
  if (snip_edges) return num_samples < window ? 0 : 1 + (num_samples - window) / shift;
  return (num_samples + shift / 2) / shift;
}

bool operator==(const FbankOptions& a, const FbankOptions& b) {
  return a.sample_frequency == b.sample_frequency && a.frame_length_ms == b.frame_length_ms &&
         a.frame_shift_ms == b.frame_shift_ms && a.dither == b.dither && a.dither_seed == b.dither_seed &&
         a.preemphasis_coefficient == b.preemphasis_coefficient && a.remove_dc_offset == b.remove_dc_offset &&
         a.window_type == b.window_type && a.blackman_coeff == b.blackman_coeff &&
         a.round_to_power_of_two == b.round_to_power_of_two && a.num_mel_bins == b.num_mel_bins &&
         a.low_freq == b.low_freq && a.high_freq == b.high_freq && a.use_energy == b.use_energy &&
         a.raw_energy == b.raw_energy && a.energy_floor == b.energy_floor && a.snip_edges == b.snip_edges &&
         a.use_log_fbank == b.use_log_fbank && a.use_power == b.use_power;
}

int64_t FirstNonFinite(const float* samples, int64_t n) {
  constexpr int64_t kBlock = 1024;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    uint32_t bad = 0;  // branch-free scan of a block (vectorizes), then a search only if needed
    for (int64_t i = start; i < end; ++i) {
      uint32_t bits;
      std::memcpy(&bits, samples + i, sizeof bits);
      bad |= static_cast<uint32_t>((bits & 0x7F800000u) == 0x7F800000u);
    }
    if (bad == 0) continue;
    for (int64_t i = start; i < end; ++i) {
      if (!std::isfinite(samples[i])) return i;
    }
  }
  return -1;
}

FbankComputer::FbankComputer(const FbankOptions& opts) : opts_(opts) {
  const std::string problem = opts.Validate();
  if (!problem.empty()) throw std::invalid_argument(problem);
  window_size_ = static_cast<int>(opts.WindowSize());
  window_shift_ = static_cast<int>(opts.WindowShift());
  const int padded = static_cast<int>(opts.PaddedWindowSize());
  const int fft_size = padded / 2;

  window_ = FeatureWindow(opts.window_type, window_size_, opts.blackman_coeff);
  fft_ = std::make_unique<ComplexFftPlan>(fft_size);
  for (int k = 0; k < fft_size; ++k) {
    const double angle = 2.0 * kPi * k / padded;
    split_twiddles_.push_back(static_cast<float>(std::cos(angle)));
    split_twiddles_.push_back(static_cast<float>(-std::sin(angle)));
  }
  MelBanks banks =
      ComputeMelBanks(opts.num_mel_bins, padded, opts.sample_frequency, opts.low_freq, opts.ResolvedHighFreq());
  mel_begin_ = std::move(banks.begin);
  mel_end_ = std::move(banks.end);
  mel_offset_ = std::move(banks.offset);
  mel_weights_ = std::move(banks.weights);
  int spectrum_begin = fft_size;
  int spectrum_end = 0;
  for (int b = 0; b < opts.num_mel_bins; ++b) {
    if (mel_begin_[b] == mel_end_[b]) continue;
    spectrum_begin = std::min(spectrum_begin, mel_begin_[b]);
    spectrum_end = std::max(spectrum_end, mel_end_[b]);
  }
  if (spectrum_end == 0) spectrum_begin = 0;

  plan_.window_size = window_size_;
  plan_.fft_size = fft_size;
  plan_.fft = &fft_->view();
  plan_.split_twiddles = split_twiddles_.data();
  plan_.window = window_.data();
  plan_.preemphasis = static_cast<float>(opts.preemphasis_coefficient);
  plan_.remove_dc_offset = opts.remove_dc_offset;
  plan_.use_energy = opts.use_energy;
  plan_.raw_energy = opts.raw_energy;
  plan_.energy_floor_active = opts.energy_floor > 0.0;
  plan_.log_energy_floor = opts.energy_floor > 0.0 ? static_cast<float>(std::log(opts.energy_floor)) : 0.0f;
  plan_.use_power = opts.use_power;
  plan_.use_log_fbank = opts.use_log_fbank;
  plan_.spectrum_begin = spectrum_begin;
  plan_.spectrum_end = spectrum_end;
  plan_.num_bins = opts.num_mel_bins;
  plan_.mel_begin = mel_begin_.data();
  plan_.mel_end = mel_end_.data();
  plan_.mel_offset = mel_offset_.data();
  plan_.mel_weights = mel_weights_.data();
  plan_.columns = opts.Dim();
}

void FbankWorkspace::AlignedDelete::operator()(float* p) const { ::operator delete(p, kAlignment); }

float* FbankWorkspace::Reserve(size_t floats) {
  if (floats > capacity_) {
    data_.reset();  // release first: the old contents are not needed
    capacity_ = 0;
    data_.reset(static_cast<float*>(::operator new(floats * sizeof(float), kAlignment)));
    capacity_ = floats;
  }
  return data_.get();
}

int64_t FbankComputer::FrameStart(int64_t frame) const {
  if (opts_.snip_edges) return frame * window_shift_;
  return frame * window_shift_ + window_shift_ / 2 - window_size_ / 2;
}

const float* FbankComputer::FrameSamples(const float* samples, int64_t num_samples, int64_t frame,
                                         float* buffer) const {
  const int64_t start = FrameStart(frame);
  const bool inside = start >= 0 && start + window_size_ <= num_samples;
  if (inside && opts_.dither == 0.0) return samples + start;
  for (int j = 0; j < window_size_; ++j) {
    int64_t index = start + j;
    // Reflect at the edges as Kaldi does (-1 -> 0, n -> n - 1), repeatedly for very short inputs.
    while (index < 0 || index >= num_samples) index = index < 0 ? -index - 1 : 2 * num_samples - 1 - index;
    buffer[j] = samples[index];
  }
  if (opts_.dither != 0.0) {
    // Gaussian noise (Box-Muller) from a stream that depends only on the seed and the frame index.
    uint64_t state = opts_.dither_seed ^ (static_cast<uint64_t>(frame) * 0xD1B54A32D192ED03ull);
    const float dither = static_cast<float>(opts_.dither);
    for (int j = 0; j < window_size_; j += 2) {
      const double u1 = static_cast<double>((NextRandom(&state) >> 11) + 1) * 0x1.0p-53;  // (0, 1]
      const double u2 = static_cast<double>(NextRandom(&state) >> 11) * 0x1.0p-53;        // [0, 1)
      const double radius = std::sqrt(-2.0 * std::log(u1));
      buffer[j] += static_cast<float>(radius * std::cos(2.0 * kPi * u2)) * dither;
      if (j + 1 < window_size_) buffer[j + 1] += static_cast<float>(radius * std::sin(2.0 * kPi * u2)) * dither;
    }
  }
  return buffer;
}

void FbankComputer::Compute(const float* samples, int64_t num_samples, SimdLevel simd, FbankWorkspace* workspace,
                            float* out) const {
  const int64_t frames = NumFrames(num_samples);
  if (frames <= 0) return;
  const FbankKernel kernel = SelectKernel(simd);
  const size_t lanes = static_cast<size_t>(kernel.lanes);
  const size_t complex_floats = RoundUp(2 * static_cast<size_t>(plan_.fft_size) * lanes);
  const size_t conv_floats = RoundUp(2 * static_cast<size_t>(plan_.fft->conv_size) * lanes);
  const size_t block_floats = RoundUp(static_cast<size_t>(plan_.columns) * lanes);
  const size_t frame_floats = RoundUp(static_cast<size_t>(window_size_));
  float* next = workspace->Reserve(2 * complex_floats + 2 * conv_floats + block_floats + frame_floats * lanes);
  const auto take = [&next](size_t floats) {
    float* region = next;
    next += floats;
    return region;
  };
  FbankScratch scratch{};
  scratch.a = take(complex_floats);
  scratch.b = take(complex_floats);
  scratch.c = conv_floats > 0 ? take(conv_floats) : nullptr;
  scratch.d = conv_floats > 0 ? take(conv_floats) : nullptr;
  scratch.block = take(block_floats);
  float* frame_buffers = take(frame_floats * lanes);

  const float* rows[kMaxLanes];
  for (int64_t first = 0; first < frames; first += kernel.lanes) {
    const int count = static_cast<int>(std::min<int64_t>(kernel.lanes, frames - first));
    for (int l = 0; l < kernel.lanes; ++l) {
      rows[l] = l < count ? FrameSamples(samples, num_samples, first + l, frame_buffers + l * frame_floats) : rows[0];
    }
    kernel.run(plan_, rows, count, out + first * plan_.columns, scratch);
  }
}

}  // namespace e2v::dsp
