// Each feature's wrapper adds its exports to the module object.
#ifndef NATIVE_SRC_NAPI_EXPORTS_H_
#define NATIVE_SRC_NAPI_EXPORTS_H_

#include <napi.h>

namespace e2v::napi {

/** Adds `fbank` and `fbankAsync`. */
void InitFbank(Napi::Env env, Napi::Object exports);
/** Adds `resample`, `resampleAsync` and the streaming resampler functions (`resamplerCreate`, ...). */
void InitResample(Napi::Env env, Napi::Object exports);
/** Adds `downmix`. */
void InitDownmix(Napi::Env env, Napi::Object exports);
/** Adds `cpuFeatures`. */
void InitCpu(Napi::Env env, Napi::Object exports);

}  // namespace e2v::napi

#endif  // NATIVE_SRC_NAPI_EXPORTS_H_
