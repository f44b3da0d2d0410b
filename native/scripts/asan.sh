#!/usr/bin/env bash
# Builds @e2v/native with AddressSanitizer + UndefinedBehaviorSanitizer into
# build-asan/ and runs the whole native test suite against that build.
# Any sanitizer report aborts the process, so the run fails on the first error.
# Usage: pnpm --filter @e2v/native asan   (or: bash native/scripts/asan.sh [vitest args])
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js compile -O build-asan --CDE2V_SANITIZE=ON --log-level warn

# Node itself is not built with ASan, so the runtime must be preloaded.
asan_runtime="$(g++ -print-file-name=libasan.so)"
ubsan_runtime="$(g++ -print-file-name=libubsan.so)"

# detect_leaks=0: Node keeps many allocations alive until exit by design, and
# LeakSanitizer would report those, not ours. halt_on_error makes any finding fatal.
export LD_PRELOAD="${asan_runtime}:${ubsan_runtime}"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export E2V_NATIVE_PATH="$PWD/build-asan/Release/e2v_native.node"

npx vitest run --reporter=default "$@"
echo "asan: native tests passed under AddressSanitizer + UBSan"
