// Rational-ratio resampling: one-shot and streaming, on a shared ResampleKernel.
#ifndef NATIVE_SRC_DSP_RESAMPLE_H_
#define NATIVE_SRC_DSP_RESAMPLE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "dsp/resample_dot.h"
#include "dsp/resample_kernel.h"
#include "dsp/simd/cpu.h"

namespace e2v::dsp {

/**
 * One-shot resampling: y[j] = sum_i x[i] * kernel(i/from - j/to), with zeros
 * outside the input, for j < kernel.OutputLength(length). An identity kernel
 * copies the input.
 *
 * @param [in] kernel the filter
 * @param [in] simd which kernel implementation to use
 * @param [in] input `length` samples
 * @param [in] length number of input samples (>= 0)
 * @param [out] output kernel.OutputLength(length) samples
 */
void Resample(const ResampleKernel& kernel, SimdLevel simd, const float* input, int64_t length, float* output);

/**
 * Streaming resampler (the shape of sherpa-onnx's resampler: process, flush,
 * reset). Concatenating the outputs of Process() for any chunking of a signal
 * and of Flush() gives exactly what Resample() gives for the whole signal on
 * the same SIMD level.
 *
 * Each call first asks for the number of outputs it will write, so callers can
 * allocate the destination (a JS Float32Array) before the work.
 */
class ResampleComputer {
 public:
  /**
   * @param [in] kernel the filter, shared (for example with a cache)
   * @param [in] simd which kernel implementation to use
   */
  ResampleComputer(std::shared_ptr<const ResampleKernel> kernel, SimdLevel simd);

  /** Outputs the next Process() of `length` more samples writes. */
  int64_t ProcessLength(int64_t length) const;

  /**
   * Takes `length` more samples and writes every output that no longer
   * depends on later input.
   * @param [out] output ProcessLength(length) samples
   */
  void Process(const float* input, int64_t length, float* output);

  /** Outputs Flush() writes: the rest of ceil(total * to / from). */
  int64_t FlushLength() const;

  /**
   * Ends the signal (later input counts as zero), writes the remaining
   * outputs, then resets, so the object can start a new signal.
   * @param [out] output FlushLength() samples
   */
  void Flush(float* output);

  /** Forgets all input: back to the state right after construction. */
  void Reset();

 private:
  // Outputs j with FirstInput(j) + width <= available (all their inputs present).
  int64_t ReadyOutputs(int64_t available) const;
  void Compute(int64_t j0, int64_t count, float* output) const;
  void Compact();

  std::shared_ptr<const ResampleKernel> kernel_;
  PolyphaseFn polyphase_;
  std::vector<float> buffer_;  // inputs from absolute index buffer_begin_ on
  int64_t buffer_begin_ = 0;   // negative at the start: leading zeros (table kernels)
  int64_t total_in_ = 0;       // samples received since the last reset
  int64_t next_out_ = 0;       // outputs written since the last reset
};

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_RESAMPLE_H_
