#include "dsp/resample_cache.h"

#include <algorithm>
#include <utility>

namespace e2v::dsp {

ResampleKernelCache::ResampleKernelCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

bool ResampleKernelCache::Same(const ResampleOptions& a, const ResampleOptions& b) {
  return a.from_hz == b.from_hz && a.to_hz == b.to_hz && a.quality == b.quality;
}

std::shared_ptr<const ResampleKernel> ResampleKernelCache::Get(const ResampleOptions& options) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (Same((*it)->options(), options)) {
        entries_.splice(entries_.begin(), entries_, it);
        return entries_.front();
      }
    }
  }
  auto kernel = std::make_shared<const ResampleKernel>(options);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& entry : entries_) {
    if (Same(entry->options(), options)) return entry;  // another thread built it meanwhile
  }
  entries_.push_front(kernel);
  if (entries_.size() > capacity_) entries_.pop_back();
  return kernel;
}

}  // namespace e2v::dsp
