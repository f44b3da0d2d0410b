// Node-API binding of cpuFeatures [sync]: the CPU's identity and extensions as CPUID reports them.
#include <napi.h>

#include <utility>

#include "dsp/simd/cpu_features.h"
#include "napi/common.h"
#include "napi/exports.h"

namespace e2v::napi {
namespace {

// [sync] cpuFeatures(): identity and instruction-set extensions of the CPU, as CPUID reports them
// to this process (see dsp/simd/cpu_features.h).
Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return AtEdge(env, [&]() -> Napi::Value {
    const dsp::CpuFeatures f = dsp::DetectCpuFeatures();
    Napi::Object out = Napi::Object::New(env);
    out.Set("arch", f.arch);
    out.Set("vendor", f.vendor);
    out.Set("brand", f.brand);
    out.Set("family", f.family);
    out.Set("model", f.model);
    out.Set("stepping", f.stepping);
    Napi::Object flags = Napi::Object::New(env);
    const std::pair<const char*, bool> named[] = {
        {"sse2", f.sse2},         {"avx", f.avx},           {"avx2", f.avx2},         {"fma", f.fma},
        {"avx512f", f.avx512f},   {"avx512bw", f.avx512bw}, {"avx512vl", f.avx512vl}, {"avx512_vnni", f.avx512_vnni},
        {"avx_vnni", f.avx_vnni}, {"amx_tile", f.amx_tile}, {"amx_int8", f.amx_int8}, {"amx_bf16", f.amx_bf16},
        {"neon", f.neon},         {"dotprod", f.dotprod},   {"i8mm", f.i8mm},
    };
    for (const auto& [name, present] : named) flags.Set(name, present);
    out.Set("flags", flags);
    return out;
  });
}

}  // namespace

void InitCpu(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures, "cpuFeatures"));
}

}  // namespace e2v::napi
