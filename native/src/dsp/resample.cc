#include "dsp/resample.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace e2v::dsp {
namespace {

// Output j of a kernel without a table, in float64, from the samples x of the
// absolute range [x_begin, x_end) (zero outside it). Adds in increasing input
// order, so streamed and one-shot calls agree exactly.
float DirectOutput(const ResampleKernel& kernel, const float* x, int64_t x_begin, int64_t x_end, int64_t j) {
  const int64_t first = kernel.FirstInput(j);
  const int64_t p = j % kernel.n();
  const int64_t begin = std::max(first, x_begin);
  const int64_t end = std::min(first + kernel.taps(), x_end);
  double sum = 0.0;
  for (int64_t i = begin; i < end; ++i) {
    sum += static_cast<double>(x[i - x_begin]) * kernel.Coefficient(p, i - first);
  }
  return static_cast<float>(sum);
}

// Outputs [j0, j1) of a table kernel from a zero-padded copy of the part of
// `input` (absolute [0, length)) they read.
void PaddedRun(const ResampleKernel& kernel, PolyphaseFn polyphase, const float* input, int64_t length, int64_t j0,
               int64_t j1, float* output) {
  if (j0 >= j1) return;
  const int64_t from = kernel.FirstInput(j0);
  const int64_t to = kernel.FirstInput(j1 - 1) + kernel.stride();
  std::vector<float> scratch(static_cast<size_t>(to - from), 0.0f);
  const int64_t copy_begin = std::max<int64_t>(from, 0);
  const int64_t copy_end = std::min(to, length);
  if (copy_end > copy_begin) {
    std::memcpy(scratch.data() + (copy_begin - from), input + copy_begin,
                static_cast<size_t>(copy_end - copy_begin) * sizeof(float));
  }
  polyphase(kernel, scratch.data(), from, j0, j1 - j0, output + j0);
}

}  // namespace

void Resample(const ResampleKernel& kernel, SimdLevel simd, const float* input, int64_t length, float* output) {
  const int64_t total = kernel.OutputLength(length);
  if (total == 0) return;
  if (kernel.identity()) {
    std::memcpy(output, input, static_cast<size_t>(length) * sizeof(float));
    return;
  }
  if (!kernel.has_table()) {
    for (int64_t j = 0; j < total; ++j) output[j] = DirectOutput(kernel, input, 0, length, j);
    return;
  }
  // Outputs whose window lies inside the input read it in place; the few at
  // each end read a zero-padded copy.
  const PolyphaseFn polyphase = SelectPolyphase(simd);
  const int64_t inner_begin = std::min(total, kernel.FirstOutputReadingFrom(0));
  const int64_t inner_end =
      std::max(inner_begin, std::min(total, kernel.FirstOutputReadingFrom(length - kernel.stride() + 1)));
  PaddedRun(kernel, polyphase, input, length, 0, inner_begin, output);
  if (inner_end > inner_begin) {
    polyphase(kernel, input, 0, inner_begin, inner_end - inner_begin, output + inner_begin);
  }
  PaddedRun(kernel, polyphase, input, length, inner_end, total, output);
}

ResampleComputer::ResampleComputer(std::shared_ptr<const ResampleKernel> kernel, SimdLevel simd)
    : kernel_(std::move(kernel)), polyphase_(SelectPolyphase(simd)) {
  Reset();
}

void ResampleComputer::Reset() {
  // Table kernels read a contiguous window, so the zeros before the signal are
  // stored; the direct path clips its window instead.
  const int64_t lead = kernel_->has_table() ? std::max<int64_t>(0, -kernel_->FirstInput(0)) : 0;
  buffer_.assign(static_cast<size_t>(lead), 0.0f);
  buffer_begin_ = -lead;
  total_in_ = 0;
  next_out_ = 0;
}

int64_t ResampleComputer::ReadyOutputs(int64_t available) const {
  return kernel_->FirstOutputReadingFrom(available - kernel_->width() + 1);
}

int64_t ResampleComputer::ProcessLength(int64_t length) const {
  if (kernel_->identity()) return length;
  return std::max<int64_t>(0, ReadyOutputs(total_in_ + length) - next_out_);
}

void ResampleComputer::Process(const float* input, int64_t length, float* output) {
  if (kernel_->identity()) {
    if (length > 0) std::memcpy(output, input, static_cast<size_t>(length) * sizeof(float));
    total_in_ += length;
    return;
  }
  const int64_t count = ProcessLength(length);
  buffer_.insert(buffer_.end(), input, input + length);
  total_in_ += length;
  Compute(next_out_, count, output);
  next_out_ += count;
  Compact();
}

int64_t ResampleComputer::FlushLength() const {
  if (kernel_->identity()) return 0;
  return kernel_->OutputLength(total_in_) - next_out_;
}

void ResampleComputer::Flush(float* output) {
  const int64_t count = FlushLength();
  if (count > 0) {
    if (kernel_->has_table()) {
      // Zeros after the signal, up to the end of the last window.
      const int64_t end = kernel_->FirstInput(next_out_ + count - 1) + kernel_->stride();
      const int64_t have = buffer_begin_ + static_cast<int64_t>(buffer_.size());
      if (end > have) buffer_.resize(buffer_.size() + static_cast<size_t>(end - have), 0.0f);
    }
    Compute(next_out_, count, output);
  }
  Reset();
}

void ResampleComputer::Compute(int64_t j0, int64_t count, float* output) const {
  if (count <= 0) return;
  if (kernel_->has_table()) {
    polyphase_(*kernel_, buffer_.data(), buffer_begin_, j0, count, output);
    return;
  }
  const int64_t end = buffer_begin_ + static_cast<int64_t>(buffer_.size());
  for (int64_t r = 0; r < count; ++r) {
    output[r] = DirectOutput(*kernel_, buffer_.data(), buffer_begin_, end, j0 + r);
  }
}

void ResampleComputer::Compact() {
  // Later outputs read from FirstInput(next_out_) on (never before 0 on the direct path).
  int64_t keep = kernel_->FirstInput(next_out_);
  if (!kernel_->has_table()) keep = std::max<int64_t>(keep, 0);
  const int64_t drop = std::min(keep - buffer_begin_, static_cast<int64_t>(buffer_.size()));
  if (drop <= 0) return;
  buffer_.erase(buffer_.begin(), buffer_.begin() + drop);
  buffer_begin_ += drop;
}

}  // namespace e2v::dsp
