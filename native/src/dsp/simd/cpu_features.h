// What the CPU and the operating system offer for numeric kernels, read with CPUID / XGETBV on
// x86 and from the auxiliary vector (Linux) or sysctl (macOS) on ARM64. Libraries that choose
// kernels at run time (ONNX Runtime's MLAS, this addon) see the same bits.
#ifndef NATIVE_SRC_DSP_SIMD_CPU_FEATURES_H_
#define NATIVE_SRC_DSP_SIMD_CPU_FEATURES_H_

#include <string>

namespace e2v::dsp {

/** Identity and the instruction-set extensions usable by this process. */
struct CpuFeatures {
  std::string arch;    // "x64", "arm64" or "other"
  std::string vendor;  // CPUID vendor ("GenuineIntel", "AuthenticAMD"); "" elsewhere
  std::string brand;   // CPUID brand string, trimmed; "" when the CPU has none
  int family = 0;      // x86 display family (base + extended), 0 elsewhere
  int model = 0;       // x86 display model (with the extended model), 0 elsewhere
  int stepping = 0;
  // x86; an extension counts only when the OS saves its registers (XCR0)
  bool sse2 = false;
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512_vnni = false;
  bool avx_vnni = false;
  bool amx_tile = false;
  bool amx_int8 = false;
  bool amx_bf16 = false;
  // ARM64
  bool neon = false;
  bool dotprod = false;
  bool i8mm = false;
};

/** Reads the features of the CPU this thread runs on. */
CpuFeatures DetectCpuFeatures();

}  // namespace e2v::dsp

#endif  // NATIVE_SRC_DSP_SIMD_CPU_FEATURES_H_
