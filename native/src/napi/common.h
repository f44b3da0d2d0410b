// Shared helpers for the Node-API wrappers: per-instance state and throw macros.
#ifndef NATIVE_SRC_NAPI_COMMON_H_
#define NATIVE_SRC_NAPI_COMMON_H_

#include <napi.h>

#include <exception>
#include <string>
#include <utility>

#include "dsp/simd/cpu.h"

namespace e2v::napi {

/** State of one loaded addon instance (one per Node environment / worker). */
struct AddonData {
  dsp::SimdLevel simd = dsp::SimdLevel::kScalar;
};

/** The AddonData of the environment `env`. */
inline AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

/** Throws a JS TypeError (returned to JS as a pending exception). */
#define E2V_THROW_TYPE_ERROR_IF(cond, env, msg)                    \
  do {                                                             \
    if (cond) throw Napi::TypeError::New((env), std::string(msg)); \
  } while (0)

/** Throws a JS RangeError (returned to JS as a pending exception). */
#define E2V_THROW_RANGE_ERROR_IF(cond, env, msg)                    \
  do {                                                              \
    if (cond) throw Napi::RangeError::New((env), std::string(msg)); \
  } while (0)

/**
 * Runs `body` and turns any C++ exception into a JS Error, so native code
 * never terminates the process. Napi::Error passes through unchanged.
 */
template <typename Body>
Napi::Value Guarded(Napi::Env env, Body&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, "e2v native: out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("e2v native: ") + e.what());
  }
}

/**
 * The N-API edge of every exported function: runs `body` under Guarded() and
 * turns any error into a pending JS exception here, so no C++ exception leaves
 * the callback. When a worker thread is terminated during a call, its
 * environment can no longer run JS and napi_throw fails; node-addon-api would
 * then rethrow out of the callback and terminate the process. Here the error is
 * dropped instead: no JS is left to see it.
 */
template <typename Body>
Napi::Value AtEdge(Napi::Env env, Body&& body) {
  try {
    return Guarded(env, std::forward<Body>(body));
  } catch (const Napi::Error& error) {
    try {
      napi_throw(env, error.Value());
    } catch (const Napi::Error&) {
      // error.Value() failed: the environment is shutting down.
    }
    return Napi::Value();
  }
}

/**
 * Base of the addon's async workers. When a worker thread is terminated while
 * the work runs, its environment can no longer run JS: settling the promise
 * fails, and node-addon-api's rethrow would escape the libuv callback and
 * terminate the process. Nobody is left to receive the result, so the failure
 * is dropped and the worker freed.
 */
class EdgeAsyncWorker : public Napi::AsyncWorker {
 protected:
  using Napi::AsyncWorker::AsyncWorker;

  void OnWorkComplete(Napi::Env env, napi_status status) override {
    try {
      Napi::AsyncWorker::OnWorkComplete(env, status);
    } catch (const Napi::Error&) {
      Destroy();  // the base class throws before reaching its own Destroy()
    }
  }
};

}  // namespace e2v::napi

#endif  // NATIVE_SRC_NAPI_COMMON_H_
