// Node-API bindings of the resampler: resample [sync], resampleAsync [async]
// and the streaming Resampler class. Arguments were validated in TS; they are
// checked again here and any C++ exception becomes a JS error.
#include <napi.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>
#include <utility>

#include "dsp/resample.h"
#include "dsp/resample_cache.h"
#include "dsp/resample_finite.h"
#include "dsp/resample_kernel.h"
#include "napi/common.h"
#include "napi/exports.h"

namespace e2v::napi {
namespace {

/** Longest output accepted (float32 samples: 4 GiB). */
constexpr int64_t kMaxOutputSamples = int64_t{1} << 30;

/** Per-environment state shared by the resampler bindings (freed by a cleanup hook). */
struct ResampleState {
  std::shared_ptr<dsp::ResampleKernelCache> kernels = std::make_shared<dsp::ResampleKernelCache>(4);
};

ResampleState& State(const Napi::CallbackInfo& info) { return *static_cast<ResampleState*>(info.Data()); }

// Argument `index` as a Float32Array (TypeError naming `name` otherwise).
Napi::Float32Array Float32Arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  E2V_THROW_TYPE_ERROR_IF(!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array,
                          info.Env(), std::string("Expected a Float32Array for ") + name);
  return value.As<Napi::Float32Array>();
}

// Argument `index` as a sample rate: an integer in [1, 1e6].
int64_t RateArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  E2V_THROW_TYPE_ERROR_IF(!value.IsNumber(), info.Env(), std::string("Expected a number for ") + name);
  const double rate = value.As<Napi::Number>().DoubleValue();
  E2V_THROW_RANGE_ERROR_IF(!(rate >= 1 && rate <= dsp::ResampleOptions::kMaxSampleRate && std::floor(rate) == rate),
                           info.Env(), std::string("Expected an integer in [1, 1000000] for ") + name);
  return static_cast<int64_t>(rate);
}

// Arguments (fromHz, toHz, quality) starting at `index`.
dsp::ResampleOptions OptionsArgs(const Napi::CallbackInfo& info, size_t index) {
  dsp::ResampleOptions options;
  options.from_hz = RateArg(info, index, "fromHz");
  options.to_hz = RateArg(info, index + 1, "toHz");
  const Napi::Value quality = info[index + 2];
  E2V_THROW_TYPE_ERROR_IF(!quality.IsString(), info.Env(), "Expected a string for options.quality");
  const std::string name = quality.As<Napi::String>().Utf8Value();
  if (name == "vhq") {
    options.quality = dsp::ResampleQuality::kVhq;
  } else {
    E2V_THROW_RANGE_ERROR_IF(name != "parity", info.Env(), "Expected one of 'parity', 'vhq' for options.quality");
    options.quality = dsp::ResampleQuality::kParity;
  }
  return options;
}

// RangeError unless `count` output samples can be allocated.
void CheckOutputLength(Napi::Env env, int64_t count) {
  E2V_THROW_RANGE_ERROR_IF(count > kMaxOutputSamples, env,
                           "The resampled output would have " + std::to_string(count) +
                               " samples, more than the limit of " + std::to_string(kMaxOutputSamples) +
                               "; pass shorter samples or a lower toHz");
}

// Output length of a one-shot call (RangeError when too long).
int64_t OneShotLength(Napi::Env env, const dsp::ResampleOptions& options, int64_t length) {
  int64_t count = 0;
  try {
    count = dsp::ResampledLength(options.from_hz, options.to_hz, length);
  } catch (const std::length_error&) {
    count = kMaxOutputSamples + 1;
  }
  CheckOutputLength(env, count);
  return count;
}

// Message for the first non-finite input, or "" when the input is finite. A
// NaN or infinite input always reaches some output, so finite outputs prove a
// finite input and the input is scanned only when an output is not finite.
std::string NonFiniteInput(const float* input, int64_t length, const float* output, int64_t count, const char* name) {
  if (dsp::FindNonFinite(output, count) < 0) return "";
  const int64_t bad = dsp::FindNonFinite(input, length);
  if (bad < 0) return "";  // finite input whose output overflowed: returned as is
  return dsp::NonFiniteMessage(name, std::string(name) + "[" + std::to_string(bad) + "]", input[bad]);
}

// [sync] resample(samples, fromHz, toHz, quality) -> Float32Array
// @throw TypeError / RangeError for bad arguments, RangeError for a NaN or
// infinite sample or an output over kMaxOutputSamples.
Napi::Value ResampleSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    const Napi::Float32Array samples = Float32Arg(info, 0, "samples");
    const dsp::ResampleOptions options = OptionsArgs(info, 1);
    const auto length = static_cast<int64_t>(samples.ElementLength());
    const int64_t count = OneShotLength(env, options, length);
    const std::shared_ptr<const dsp::ResampleKernel> kernel = State(info).kernels->Get(options);
    Napi::Float32Array output = Napi::Float32Array::New(env, static_cast<size_t>(count));
    dsp::Resample(*kernel, Data(env).simd, samples.Data(), length, output.Data());
    const std::string bad = NonFiniteInput(samples.Data(), length, output.Data(), count, "samples");
    E2V_THROW_RANGE_ERROR_IF(!bad.empty(), env, bad);
    return output;
  });
}

/**
 * resampleAsync's worker. The samples are copied: a reference would keep the
 * array alive, but JS could still detach its buffer (postMessage transfer)
 * while the worker reads it. The pre-allocated output is held by a reference
 * and reaches JS only once the work is done; Execute never touches a JS value.
 */
class ResampleWorker : public EdgeAsyncWorker {
 public:
  ResampleWorker(Napi::Env env, std::shared_ptr<dsp::ResampleKernelCache> kernels, dsp::ResampleOptions options,
                 Napi::Float32Array input, Napi::Float32Array output)
      : EdgeAsyncWorker(env, "e2v.resampleAsync"),
        deferred_(Napi::Promise::Deferred::New(env)),
        kernels_(std::move(kernels)),
        options_(options),
        simd_(Data(env).simd),
        input_(input.Data(), input.Data() + input.ElementLength()),
        output_(output.Data()),
        count_(static_cast<int64_t>(output.ElementLength())),
        output_ref_(Napi::Persistent(output)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      const std::shared_ptr<const dsp::ResampleKernel> kernel = kernels_->Get(options_);
      const auto length = static_cast<int64_t>(input_.size());
      dsp::Resample(*kernel, simd_, input_.data(), length, output_);
      const std::string bad = NonFiniteInput(input_.data(), length, output_, count_, "samples");
      if (!bad.empty()) {
        range_error_ = true;
        SetError(bad);
      }
    } catch (const std::bad_alloc&) {
      SetError("e2v native: out of memory");
    } catch (const std::exception& e) {
      SetError(std::string("e2v native: ") + e.what());
    }
  }

  void OnOK() override { deferred_.Resolve(output_ref_.Value()); }

  void OnError(const Napi::Error& error) override {
    if (range_error_) {
      deferred_.Reject(Napi::RangeError::New(Env(), error.Message()).Value());
    } else {
      deferred_.Reject(error.Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<dsp::ResampleKernelCache> kernels_;
  dsp::ResampleOptions options_;
  dsp::SimdLevel simd_;
  std::vector<float> input_;
  float* output_;
  int64_t count_;
  bool range_error_ = false;
  Napi::Reference<Napi::Float32Array> output_ref_;
};

// [async] resampleAsync(samples, fromHz, toHz, quality) -> Promise<Float32Array>
// Argument errors throw synchronously; a NaN or infinite sample rejects with a RangeError.
Napi::Value ResampleAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    const Napi::Float32Array samples = Float32Arg(info, 0, "samples");
    const dsp::ResampleOptions options = OptionsArgs(info, 1);
    const int64_t count = OneShotLength(env, options, static_cast<int64_t>(samples.ElementLength()));
    Napi::Float32Array output = Napi::Float32Array::New(env, static_cast<size_t>(count));
    auto* worker = new ResampleWorker(env, State(info).kernels, options, samples, output);
    Napi::Promise promise = worker->Promise();
    worker->Queue();  // the worker deletes itself when done
    return promise;
  });
}

/** Reads the External handle made by resamplerCreate. */
dsp::ResampleComputer* Computer(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  E2V_THROW_TYPE_ERROR_IF(info.Length() < 1 || !info[0].IsExternal(), env, "Expected a Resampler handle");
  return info[0].As<Napi::External<dsp::ResampleComputer>>().Data();
}

// [sync] resamplerCreate(fromHz, toHz, quality) -> External handle of a streaming
// resampler, freed when the handle is garbage-collected.
// @throw TypeError / RangeError for bad rates or quality.
Napi::Value ResamplerCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    const dsp::ResampleOptions options = OptionsArgs(info, 0);
    auto computer = std::make_unique<dsp::ResampleComputer>(State(info).kernels->Get(options), Data(env).simd);
    Napi::External<dsp::ResampleComputer> handle = Napi::External<dsp::ResampleComputer>::New(
        env, computer.get(), [](Napi::Env, dsp::ResampleComputer* c) { delete c; });
    computer.release();  // owned by the handle's finalizer now
    return handle;
  });
}

// [sync] resamplerProcess(handle, chunk) -> the outputs that no longer depend on later input.
// @throw TypeError for a non-Float32Array; RangeError for a NaN or infinite
// sample (the state is left unchanged).
Napi::Value ResamplerProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    dsp::ResampleComputer* computer = Computer(info);
    const Napi::Float32Array chunk = Float32Arg(info, 1, "chunk");
    const auto length = static_cast<int64_t>(chunk.ElementLength());
    const int64_t bad = dsp::FindNonFinite(chunk.Data(), length);
    E2V_THROW_RANGE_ERROR_IF(
        bad >= 0, env,
        dsp::NonFiniteMessage("chunk", "chunk[" + std::to_string(bad) + "]", bad >= 0 ? chunk.Data()[bad] : 0.0f));
    const int64_t count = computer->ProcessLength(length);
    CheckOutputLength(env, count);
    Napi::Float32Array output = Napi::Float32Array::New(env, static_cast<size_t>(count));
    computer->Process(chunk.Data(), length, output.Data());
    return output;
  });
}

// [sync] resamplerFlush(handle) -> the remaining outputs; then the resampler starts afresh.
Napi::Value ResamplerFlush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    dsp::ResampleComputer* computer = Computer(info);
    const int64_t count = computer->FlushLength();
    CheckOutputLength(env, count);
    Napi::Float32Array output = Napi::Float32Array::New(env, static_cast<size_t>(count));
    computer->Flush(output.Data());
    return output;
  });
}

// [sync] resamplerReset(handle): forgets all input.
Napi::Value ResamplerReset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    Computer(info)->Reset();
    return env.Undefined();
  });
}

}  // namespace

void InitResample(Napi::Env env, Napi::Object exports) {
  auto* state = new ResampleState();
  env.AddCleanupHook([state]() { delete state; });
  exports.Set("resample", Napi::Function::New(env, ResampleSync, "resample", state));
  exports.Set("resampleAsync", Napi::Function::New(env, ResampleAsync, "resampleAsync", state));
  exports.Set("resamplerCreate", Napi::Function::New(env, ResamplerCreate, "resamplerCreate", state));
  exports.Set("resamplerProcess", Napi::Function::New(env, ResamplerProcess, "resamplerProcess", state));
  exports.Set("resamplerFlush", Napi::Function::New(env, ResamplerFlush, "resamplerFlush", state));
  exports.Set("resamplerReset", Napi::Function::New(env, ResamplerReset, "resamplerReset", state));
}

}  // namespace e2v::napi
