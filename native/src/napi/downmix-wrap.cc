// Node-API binding of downmix [sync]. Arguments were validated in TS; they are
// checked again here and any C++ exception becomes a JS error.
#include <napi.h>

#include <string>
#include <vector>

#include "dsp/downmix.h"
#include "dsp/resample_finite.h"
#include "napi/common.h"
#include "napi/exports.h"

namespace e2v::napi {
namespace {

bool IsFloat32Array(const Napi::Value& value) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
}

// [sync] downmix(channels: Float32Array[]) -> Float32Array, the mean of the channels.
// @throw TypeError for a non-array or a non-Float32Array element; RangeError for
// no channels, channels of different lengths, or a NaN or infinite sample.
Napi::Value Downmix(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    E2V_THROW_TYPE_ERROR_IF(!info[0].IsArray(), env, "Expected an Array of Float32Array for channels");
    const Napi::Array list = info[0].As<Napi::Array>();
    const uint32_t count = list.Length();
    E2V_THROW_RANGE_ERROR_IF(count == 0, env, "Expected at least one channel in channels but received none");
    std::vector<Napi::Float32Array> arrays;
    std::vector<const float*> channels;
    arrays.reserve(count);
    channels.reserve(count);
    for (uint32_t c = 0; c < count; ++c) {
      const Napi::Value value = list.Get(c);
      E2V_THROW_TYPE_ERROR_IF(!IsFloat32Array(value), env,
                              "Expected a Float32Array for channels[" + std::to_string(c) + "]");
      arrays.push_back(value.As<Napi::Float32Array>());
      channels.push_back(arrays.back().Data());
    }
    const size_t length = arrays[0].ElementLength();
    for (uint32_t c = 1; c < count; ++c) {
      E2V_THROW_RANGE_ERROR_IF(arrays[c].ElementLength() != length, env,
                               "Expected channels of equal length but channels[0] has " + std::to_string(length) +
                                   " samples and channels[" + std::to_string(c) + "] has " +
                                   std::to_string(arrays[c].ElementLength()));
    }
    Napi::Float32Array output = Napi::Float32Array::New(env, length);
    const auto samples = static_cast<int64_t>(length);
    dsp::Downmix(channels.data(), count, samples, output.Data());
    // The mean is summed in float64, so it is finite exactly when every input is.
    if (dsp::FindNonFinite(output.Data(), samples) >= 0) {
      for (uint32_t c = 0; c < count; ++c) {
        const int64_t bad = dsp::FindNonFinite(channels[c], samples);
        E2V_THROW_RANGE_ERROR_IF(
            bad >= 0, env,
            dsp::NonFiniteMessage("channels", "channels[" + std::to_string(c) + "][" + std::to_string(bad) + "]",
                                  bad >= 0 ? channels[c][bad] : 0.0f));
      }
    }
    return output;
  });
}

}  // namespace

void InitDownmix(Napi::Env env, Napi::Object exports) {
  exports.Set("downmix", Napi::Function::New(env, Downmix, "downmix"));
}

}  // namespace e2v::napi
