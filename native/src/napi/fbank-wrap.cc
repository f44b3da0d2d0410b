// Node-API wrappers of dsp::FbankComputer:
//   [sync]  fbank(samples: Float32Array, options: RawFbankOptions) -> { data, frames, bins }
//   [async] fbankAsync(samples, options) -> Promise<{ data, frames, bins }>
// Both re-check their arguments (TypeError for a wrong type, RangeError for a
// value out of range, each naming the argument) although lib/fbank.ts checks first.
#include <napi.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dsp/fbank.h"
#include "napi/common.h"
#include "napi/exports.h"

namespace e2v::napi {
namespace {

/**
 * Per-environment fbank state (JS thread only): computers for the most recently
 * used option sets and the scratch memory of synchronous calls.
 */
class FbankState {
 public:
  /** Scratch for calls on the JS thread. */
  dsp::FbankWorkspace* workspace() { return &workspace_; }

  /** The computer for `opts`, built (and cached) if needed. */
  std::shared_ptr<const dsp::FbankComputer> Get(const dsp::FbankOptions& opts) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == opts) {
        entries_.splice(entries_.begin(), entries_, it);  // most recent first
        return entries_.front().second;
      }
    }
    entries_.emplace_front(opts, std::make_shared<const dsp::FbankComputer>(opts));
    if (entries_.size() > kCapacity) entries_.pop_back();
    return entries_.front().second;
  }

 private:
  static constexpr size_t kCapacity = 8;
  std::list<std::pair<dsp::FbankOptions, std::shared_ptr<const dsp::FbankComputer>>> entries_;
  dsp::FbankWorkspace workspace_;
};

/** JS type of a value for messages: "undefined", "a string", ... */
std::string Describe(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return "a boolean";
    case napi_number:
      return "a number";
    case napi_string:
      return "a string";
    case napi_object:
      return value.IsTypedArray() ? "a typed array of another type" : "an object";
    default:
      return "a value of another type";
  }
}

double GetNumber(Napi::Env env, const Napi::Object& options, const char* name) {
  const Napi::Value value = options.Get(name);
  E2V_THROW_TYPE_ERROR_IF(!value.IsNumber(), env,
                          std::string("Expected a number for ") + name + " but received " + Describe(value));
  return value.As<Napi::Number>().DoubleValue();
}

/** An integer-valued number in [lo, hi]. */
double GetInteger(Napi::Env env, const Napi::Object& options, const char* name, double lo, double hi) {
  const double value = GetNumber(env, options, name);
  E2V_THROW_RANGE_ERROR_IF(!(value >= lo && value <= hi) || value != static_cast<double>(static_cast<int64_t>(value)),
                           env,
                           std::string("Expected an integer in [") + std::to_string(static_cast<int64_t>(lo)) + ", " +
                               std::to_string(static_cast<int64_t>(hi)) + "] for " + name);
  return value;
}

bool GetBoolean(Napi::Env env, const Napi::Object& options, const char* name) {
  const Napi::Value value = options.Get(name);
  E2V_THROW_TYPE_ERROR_IF(!value.IsBoolean(), env,
                          std::string("Expected a boolean for ") + name + " but received " + Describe(value));
  return value.As<Napi::Boolean>().Value();
}

dsp::WindowType GetWindowType(Napi::Env env, const Napi::Object& options) {
  const Napi::Value value = options.Get("windowType");
  E2V_THROW_TYPE_ERROR_IF(!value.IsString(), env, "Expected a string for windowType but received " + Describe(value));
  const std::string name = value.As<Napi::String>().Utf8Value();
  if (name == "povey") return dsp::WindowType::kPovey;
  if (name == "hamming") return dsp::WindowType::kHamming;
  if (name == "hanning") return dsp::WindowType::kHanning;
  if (name == "rectangular") return dsp::WindowType::kRectangular;
  if (name == "blackman") return dsp::WindowType::kBlackman;
  throw Napi::RangeError::New(env,
                              "Expected one of 'povey', 'hamming', 'hanning', 'rectangular', 'blackman' for "
                              "windowType but received '" +
                                  name + "'");
}

/** Reads every field of a RawFbankOptions object and validates the set. */
dsp::FbankOptions ReadOptions(Napi::Env env, const Napi::Value& value) {
  E2V_THROW_TYPE_ERROR_IF(!value.IsObject() || value.IsArray(), env,
                          "Expected an options object for options but received " + Describe(value));
  const Napi::Object o = value.As<Napi::Object>();
  dsp::FbankOptions opts;
  opts.sample_frequency = GetNumber(env, o, "sampleFrequency");
  opts.frame_length_ms = GetNumber(env, o, "frameLengthMs");
  opts.frame_shift_ms = GetNumber(env, o, "frameShiftMs");
  opts.dither = GetNumber(env, o, "dither");
  opts.dither_seed = static_cast<uint64_t>(GetInteger(env, o, "ditherSeed", 0, dsp::kMaxFbankDitherSeed));
  opts.preemphasis_coefficient = GetNumber(env, o, "preemphasisCoefficient");
  opts.remove_dc_offset = GetBoolean(env, o, "removeDcOffset");
  opts.window_type = GetWindowType(env, o);
  opts.blackman_coeff = GetNumber(env, o, "blackmanCoeff");
  opts.round_to_power_of_two = GetBoolean(env, o, "roundToPowerOfTwo");
  opts.num_mel_bins = static_cast<int>(GetInteger(env, o, "numMelBins", 1, dsp::kMaxFbankWindow / 2));
  opts.low_freq = GetNumber(env, o, "lowFreq");
  opts.high_freq = GetNumber(env, o, "highFreq");
  opts.use_energy = GetBoolean(env, o, "useEnergy");
  opts.raw_energy = GetBoolean(env, o, "rawEnergy");
  opts.energy_floor = GetNumber(env, o, "energyFloor");
  opts.snip_edges = GetBoolean(env, o, "snipEdges");
  opts.use_log_fbank = GetBoolean(env, o, "useLogFbank");
  opts.use_power = GetBoolean(env, o, "usePower");
  const std::string problem = opts.Validate();
  E2V_THROW_RANGE_ERROR_IF(!problem.empty(), env, problem);
  return opts;
}

/** The samples argument: a Float32Array of finite values. */
Napi::Float32Array ReadSamples(Napi::Env env, const Napi::Value& value) {
  E2V_THROW_TYPE_ERROR_IF(!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array,
                          env, "Expected a Float32Array for samples but received " + Describe(value));
  Napi::Float32Array samples = value.As<Napi::Float32Array>();
  // The only finiteness check (lib/fbank.ts leaves it here: a JS loop would cost a
  // quarter of the time of the whole computation); same message as lib/validate.ts.
  const int64_t bad = dsp::FirstNonFinite(samples.Data(), static_cast<int64_t>(samples.ElementLength()));
  if (bad >= 0) {
    const float v = samples.Data()[bad];
    const char* shown = v != v ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
    throw Napi::RangeError::New(
        env, "Expected finite values in samples but samples[" + std::to_string(bad) + "] is " + shown);
  }
  return samples;
}

/** Output array for `frames` rows of `dim` columns. */
Napi::Float32Array NewOutput(Napi::Env env, int64_t frames, int dim) {
  constexpr int64_t kMaxValues = (int64_t{1} << 32) - 1;
  E2V_THROW_RANGE_ERROR_IF(frames > kMaxValues / dim, env,
                           "samples give " + std::to_string(frames) + " frames of " + std::to_string(dim) +
                               " values, more than a Float32Array holds");
  return Napi::Float32Array::New(env, static_cast<size_t>(frames * dim));
}

Napi::Object MakeResult(Napi::Env env, Napi::Float32Array data, int64_t frames, int dim) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", data);
  result.Set("frames", Napi::Number::New(env, static_cast<double>(frames)));
  result.Set("bins", Napi::Number::New(env, dim));
  return result;
}

/** Arguments shared by both entry points, read on the JS thread. */
struct FbankCall {
  FbankState* state;
  Napi::Float32Array samples;
  std::shared_ptr<const dsp::FbankComputer> computer;
  int64_t frames;
};

FbankCall ReadCall(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  E2V_THROW_TYPE_ERROR_IF(info.Length() < 2, env, "Expected 2 arguments (samples, options)");
  FbankCall call;
  call.state = static_cast<FbankState*>(info.Data());
  call.samples = ReadSamples(env, info[0]);
  const dsp::FbankOptions opts = ReadOptions(env, info[1]);
  call.computer = call.state->Get(opts);
  call.frames = call.computer->NumFrames(static_cast<int64_t>(call.samples.ElementLength()));
  return call;
}

// [sync] fbank(samples, options): features of the whole input, computed on the calling thread.
Napi::Value Fbank(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    const FbankCall call = ReadCall(info);
    Napi::Float32Array out = NewOutput(env, call.frames, call.computer->Dim());
    call.computer->Compute(call.samples.Data(), static_cast<int64_t>(call.samples.ElementLength()), Data(env).simd,
                           call.state->workspace(), out.Data());
    return MakeResult(env, out, call.frames, call.computer->Dim());
  });
}

/**
 * Computes on a libuv worker thread. The samples are copied: a reference would
 * keep the array alive, but JS could still detach its buffer (postMessage
 * transfer) while the worker reads it. The output array is created up front and
 * held by a reference; JS sees it only once the work is done.
 */
class FbankWorker : public EdgeAsyncWorker {
 public:
  FbankWorker(Napi::Env env, const FbankCall& call, Napi::Float32Array out)
      : EdgeAsyncWorker(env, "e2v:fbankAsync"),
        deferred_(Napi::Promise::Deferred::New(env)),
        samples_(call.samples.Data(), call.samples.Data() + call.samples.ElementLength()),
        computer_(call.computer),
        frames_(call.frames),
        simd_(Data(env).simd),
        out_(Napi::Persistent(out)),
        out_data_(out.Data()) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      dsp::FbankWorkspace workspace;  // the JS thread's workspace is not shared with workers
      computer_->Compute(samples_.data(), static_cast<int64_t>(samples_.size()), simd_, &workspace, out_data_);
    } catch (const std::exception& e) {
      SetError(std::string("e2v native: ") + e.what());
    }
  }

  void OnOK() override { deferred_.Resolve(MakeResult(Env(), out_.Value(), frames_, computer_->Dim())); }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<float> samples_;
  std::shared_ptr<const dsp::FbankComputer> computer_;
  int64_t frames_;
  dsp::SimdLevel simd_;
  Napi::Reference<Napi::Float32Array> out_;
  float* out_data_;
};

// [async] fbankAsync(samples, options): a Promise of the features, computed off the JS thread.
Napi::Value FbankAsync(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    const FbankCall call = ReadCall(info);
    Napi::Float32Array out = NewOutput(env, call.frames, call.computer->Dim());
    auto* worker = new FbankWorker(env, call, out);  // deletes itself after OnOK / OnError
    const Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

}  // namespace

void InitFbank(Napi::Env env, Napi::Object exports) {
  auto* state = new FbankState();
  env.AddCleanupHook([state]() { delete state; });
  exports.Set("fbank", Napi::Function::New(env, Fbank, "fbank", state));
  exports.Set("fbankAsync", Napi::Function::New(env, FbankAsync, "fbankAsync", state));
}

}  // namespace e2v::napi
