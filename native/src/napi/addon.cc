// Module entry: registers the exports table and per-instance state only.
#include <napi.h>

#include "dsp/simd/cpu.h"
#include "napi/common.h"
#include "napi/exports.h"

namespace e2v::napi {
namespace {

// [sync] simd(): the name of the SIMD path in use ("avx2", "sse2", "neon", "scalar").
Napi::Value Simd(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dsp::SimdName(Data(info.Env()).simd));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->simd = dsp::SimdFromEnvironment();
  env.SetInstanceData(data);  // deleted by node-addon-api when the environment is torn down
  exports.Set("simd", Napi::Function::New(env, Simd, "simd"));
  InitCpu(env, exports);
  InitFbank(env, exports);
  InitResample(env, exports);
  InitDownmix(env, exports);
  return exports;
}

}  // namespace
}  // namespace e2v::napi

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return e2v::napi::Init(env, exports); }

NODE_API_MODULE(e2v_native, InitModule)
