// Interface between FbankComputer and the per-instruction-set fbank kernels.
// Only plain structs and function declarations: the kernel files are compiled
// with different instruction-set flags and must share no inline code.
#ifndef NATIVE_SRC_DSP_FBANK_KERNEL_H_
#define NATIVE_SRC_DSP_FBANK_KERNEL_H_

#include "dsp/fft.h"

namespace e2v::dsp {

/** Everything a kernel needs to turn frames into feature rows (tables owned by FbankComputer). */
struct FbankKernelPlan {
  /** Samples per frame. */
  int window_size;
  /** Complex FFT size: half the padded window. */
  int fft_size;
  /** Complex FFT of fft_size points. */
  const FftView* fft;
  /** exp(-2 pi i k / (2 fft_size)) for k in [0, fft_size): (re, im) pairs. */
  const float* split_twiddles;
  /** window_size window weights. */
  const float* window;
  /** Pre-emphasis coefficient; 0 skips the step. */
  float preemphasis;
  bool remove_dc_offset;
  bool use_energy;
  bool raw_energy;
  /** Apply max(log E, log_energy_floor). */
  bool energy_floor_active;
  float log_energy_floor;
  bool use_power;
  bool use_log_fbank;
  /** FFT bins [spectrum_begin, spectrum_end) are the only ones any filter reads. */
  int spectrum_begin;
  int spectrum_end;
  /** Sparse mel filters, as in MelBanks. */
  int num_bins;
  const int* mel_begin;
  const int* mel_end;
  const int* mel_offset;
  const float* mel_weights;
  /** Output columns: num_bins (+1 with use_energy, in column 0). */
  int columns;
};

/**
 * Work buffers of one batch, each 64-byte aligned, sized for `lanes` frames:
 * `a` and `b` hold 2 * fft_size * lanes floats, `c` and `d` 2 * conv_size * lanes
 * (Bluestein plans only, else null), `block` columns * lanes.
 */
struct FbankScratch {
  float* a;
  float* b;
  float* c;
  float* d;
  float* block;
};

/** A kernel for one instruction set. */
struct FbankKernel {
  /** Frames processed per call. */
  int lanes;
  /**
   * Computes `count` (1..lanes) feature rows. `frames` has `lanes` pointers to
   * window_size samples each (entries from `count` on repeat a valid frame);
   * `out` receives count rows of plan.columns floats.
   */
  void (*run)(const FbankKernelPlan& plan, const float* const* frames, int count, float* out,
              const FbankScratch& scratch);
};

/** Portable kernel (one frame per call). */
FbankKernel ScalarFbankKernel();
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
/** SSE2 kernel (4 frames per call). */
FbankKernel Sse2FbankKernel();
/** AVX2 kernel (8 frames per call); needs AVX2 and FMA. */
FbankKernel Avx2FbankKernel();
#endif
#if defined(__aarch64__)
/** NEON kernel (4 frames per call). */
FbankKernel NeonFbankKernel();
#endif

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_FBANK_KERNEL_H_
