// A small thread-safe cache of resampling kernels, most recently used first.
#ifndef NATIVE_SRC_DSP_RESAMPLE_CACHE_H_
#define NATIVE_SRC_DSP_RESAMPLE_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>

#include "dsp/resample_kernel.h"

namespace e2v::dsp {

/**
 * Keeps the kernels of the last few (from, to, quality) triples so repeated
 * one-shot calls do not redesign their filter. Safe to use from several
 * threads (the JS thread and async workers); kernels are built outside the lock.
 */
class ResampleKernelCache {
 public:
  /** @param [in] capacity kernels kept (at least 1) */
  explicit ResampleKernelCache(size_t capacity = 4);

  /**
   * The kernel for `options`, built (and cached) when missing.
   * Throws what ResampleKernel's constructor throws.
   */
  std::shared_ptr<const ResampleKernel> Get(const ResampleOptions& options);

 private:
  static bool Same(const ResampleOptions& a, const ResampleOptions& b);

  const size_t capacity_;
  std::mutex mutex_;
  std::list<std::shared_ptr<const ResampleKernel>> entries_;  // most recent first
};

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_RESAMPLE_CACHE_H_
