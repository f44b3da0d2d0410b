#include "dsp/simd/cpu_features.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#elif defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>
#endif

namespace e2v::dsp {
namespace {

#if defined(__x86_64__) || defined(__i386__)
struct Registers {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Registers Cpuid(unsigned leaf, unsigned subleaf) {
  Registers r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

bool Bit(unsigned value, int bit) { return ((value >> bit) & 1u) != 0; }

// XCR0: which register states the OS saves on a context switch (needs OSXSAVE).
uint64_t Xcr0() {
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

std::string Trim(const char* text) {
  std::string s(text);
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

void DetectX86(CpuFeatures* f) {
  f->arch = "x64";
  const Registers id = Cpuid(0, 0);
  char vendor[13] = {};
  std::memcpy(vendor, &id.ebx, 4);
  std::memcpy(vendor + 4, &id.edx, 4);
  std::memcpy(vendor + 8, &id.ecx, 4);
  f->vendor = vendor;
  const unsigned max_leaf = id.eax;
  if (max_leaf < 1) return;

  const Registers l1 = Cpuid(1, 0);
  const int base_family = (l1.eax >> 8) & 0xF;
  const int base_model = (l1.eax >> 4) & 0xF;
  f->family = base_family == 0xF ? base_family + static_cast<int>((l1.eax >> 20) & 0xFF) : base_family;
  f->model = (base_family == 0x6 || base_family == 0xF) ? base_model + static_cast<int>(((l1.eax >> 16) & 0xF) << 4)
                                                        : base_model;
  f->stepping = static_cast<int>(l1.eax & 0xF);
  f->sse2 = Bit(l1.edx, 26);

  const bool osxsave = Bit(l1.ecx, 27);
  const uint64_t xcr0 = osxsave ? Xcr0() : 0;
  const bool ymm_state = (xcr0 & 0x6) == 0x6;                 // SSE + AVX state
  const bool zmm_state = ymm_state && (xcr0 & 0xE0) == 0xE0;  // opmask + ZMM halves
  const bool tile_state = (xcr0 & 0x60000) == 0x60000;        // AMX TILECFG + TILEDATA
  f->avx = ymm_state && Bit(l1.ecx, 28);
  f->fma = f->avx && Bit(l1.ecx, 12);

  if (max_leaf >= 7) {
    const Registers l7 = Cpuid(7, 0);
    f->avx2 = f->avx && Bit(l7.ebx, 5);
    f->avx512f = zmm_state && Bit(l7.ebx, 16);
    f->avx512bw = f->avx512f && Bit(l7.ebx, 30);
    f->avx512vl = f->avx512f && Bit(l7.ebx, 31);
    f->avx512_vnni = f->avx512f && Bit(l7.ecx, 11);
    f->amx_bf16 = tile_state && Bit(l7.edx, 22);
    f->amx_tile = tile_state && Bit(l7.edx, 24);
    f->amx_int8 = tile_state && Bit(l7.edx, 25);
    if (l7.eax >= 1) f->avx_vnni = f->avx2 && Bit(Cpuid(7, 1).eax, 4);
  }

  if (Cpuid(0x80000000, 0).eax >= 0x80000004) {
    char brand[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
      const Registers r = Cpuid(0x80000002 + i, 0);
      std::memcpy(brand + 16 * i, &r.eax, 4);
      std::memcpy(brand + 16 * i + 4, &r.ebx, 4);
      std::memcpy(brand + 16 * i + 8, &r.ecx, 4);
      std::memcpy(brand + 16 * i + 12, &r.edx, 4);
    }
    f->brand = Trim(brand);
  }
}
#endif

#if defined(__aarch64__)
void DetectArm64(CpuFeatures* f) {
  f->arch = "arm64";
  f->neon = true;
#if defined(__linux__)
  const unsigned long hwcap = getauxval(AT_HWCAP);    // NOLINT(runtime/int): getauxval's type
  const unsigned long hwcap2 = getauxval(AT_HWCAP2);  // NOLINT(runtime/int)
  f->dotprod = (hwcap & (1ul << 20)) != 0;            // HWCAP_ASIMDDP
  f->i8mm = (hwcap2 & (1ul << 13)) != 0;              // HWCAP2_I8MM
#elif defined(__APPLE__)
  auto flag = [](const char* name) {
    int value = 0;
    size_t size = sizeof value;
    return sysctlbyname(name, &value, &size, nullptr, 0) == 0 && value != 0;
  };
  f->dotprod = flag("hw.optional.arm.FEAT_DotProd");
  f->i8mm = flag("hw.optional.arm.FEAT_I8MM");
#endif
}
#endif

}  // namespace

CpuFeatures DetectCpuFeatures() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  DetectX86(&f);
#elif defined(__aarch64__)
  DetectArm64(&f);
#else
  f.arch = "other";
#endif
  return f;
}

}  // namespace e2v::dsp
