/*
 * cpuid-mask: an LD_PRELOAD library that makes a process see an AVX2-only x86-64 CPU.
 *
 * It turns on CPUID faulting for the process (Linux arch_prctl(ARCH_SET_CPUID, 0); the CPU must
 * list `cpuid_fault` in /proc/cpuinfo), so every CPUID instruction traps with SIGSEGV. The
 * handler runs the real CPUID, clears the AVX-512, AVX-VNNI and AMX feature bits, and resumes
 * after the instruction. Libraries that choose kernels by CPUID (ONNX Runtime's MLAS, V8, our
 * addon) then take the code paths an AVX2 + FMA CPU (Haswell, Zen 2) takes, at native speed.
 *
 * The process keeps its own SIGSEGV handlers (Node installs one for WebAssembly traps): this
 * library interposes sigaction(), records what the program installs for SIGSEGV, and forwards
 * every fault that is not a CPUID to it.
 *
 * Environment: E2V_CPUID_MASK_REPORT=1 prints, at exit, how many CPUID instructions were masked.
 * If faulting cannot be enabled the library prints one line and exits the process with 86, so a
 * run never silently uses the host's real instruction set.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

static sigaction_fn real_sigaction;
/* What the program believes is its SIGSEGV disposition (the default until it installs one). */
static struct sigaction program_segv;
static atomic_ulong masked_count;

static long set_cpuid_allowed(int allowed) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, allowed); }

/* Clears the features an AVX2-only CPU lacks. Leaf numbers and bits: Intel SDM vol. 2A, CPUID. */
static void mask_leaf(unsigned leaf, unsigned subleaf, unsigned *eax, unsigned *ebx, unsigned *ecx, unsigned *edx) {
  if (leaf == 7 && subleaf == 0) {
    /* EBX: AVX512F 16, DQ 17, IFMA 21, PF 26, ER 27, CD 28, BW 30, VL 31 */
    *ebx &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
    /* ECX: AVX512_VBMI 1, AVX512_VBMI2 6, AVX512_VNNI 11, AVX512_BITALG 12, AVX512_VPOPCNTDQ 14 */
    *ecx &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
    /* EDX: 4VNNIW 2, 4FMAPS 3, VP2INTERSECT 8, AMX_BF16 22, AVX512_FP16 23, AMX_TILE 24, AMX_INT8 25 */
    *edx &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
  } else if (leaf == 7 && subleaf == 1) {
    /* EAX: AVX_VNNI 4, AVX512_BF16 5, AMX_FP16 21, AVX_IFMA 23; EDX: AVX_VNNI_INT8 4, AVX_NE_CONVERT 5,
       AMX_COMPLEX 8, AVX_VNNI_INT16 10, AVX10 19 */
    *eax &= ~((1u << 4) | (1u << 5) | (1u << 21) | (1u << 23));
    *edx &= ~((1u << 4) | (1u << 5) | (1u << 8) | (1u << 10) | (1u << 19));
  } else if (leaf == 0xD && subleaf == 0) {
    /* XCR0-supported state: drop opmask/ZMM (bits 5-7) and AMX tile state (17, 18) */
    *eax &= ~((1u << 5) | (1u << 6) | (1u << 7) | (1u << 17) | (1u << 18));
  } else if (leaf == 0x1D || leaf == 0x1E || leaf == 0x24) {
    /* AMX palette / TMUL info, AVX10: none */
    *eax = *ebx = *ecx = *edx = 0;
  }
}

static void forward(int sig, siginfo_t *info, void *context) {
  const struct sigaction next = program_segv;
  if (next.sa_flags & SA_SIGINFO) {
    next.sa_sigaction(sig, info, context);
  } else if (next.sa_handler == SIG_IGN) {
    return;
  } else if (next.sa_handler == SIG_DFL) {
    /* restore the default action; the faulting instruction runs again and ends the process */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    real_sigaction(sig, &dfl, NULL);
  } else {
    next.sa_handler(sig);
  }
}

static void on_segv(int sig, siginfo_t *info, void *context) {
  ucontext_t *uc = context;
  greg_t *regs = uc->uc_mcontext.gregs;
  const unsigned char *pc = (const unsigned char *)regs[REG_RIP];
  /* a CPUID fault is a general protection fault (si_code SI_KERNEL) on the bytes 0F A2 */
  if (info->si_code == SI_KERNEL && pc != NULL && pc[0] == 0x0F && pc[1] == 0xA2) {
    unsigned leaf = (unsigned)regs[REG_RAX];
    unsigned subleaf = (unsigned)regs[REG_RCX];
    unsigned eax, ebx, ecx, edx;
    set_cpuid_allowed(1);
    __cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
    set_cpuid_allowed(0);
    mask_leaf(leaf, subleaf, &eax, &ebx, &ecx, &edx);
    regs[REG_RAX] = eax;
    regs[REG_RBX] = ebx;
    regs[REG_RCX] = ecx;
    regs[REG_RDX] = edx;
    regs[REG_RIP] += 2;
    atomic_fetch_add_explicit(&masked_count, 1, memory_order_relaxed);
    return;
  }
  forward(sig, info, context);
}

/* Interposed: SIGSEGV dispositions are recorded, never installed, so on_segv stays first. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  if (real_sigaction == NULL) real_sigaction = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
  if (sig != SIGSEGV) return real_sigaction(sig, act, old);
  if (old != NULL) *old = program_segv;
  if (act != NULL) program_segv = *act;
  return 0;
}

static void report(void) {
  fprintf(stderr, "cpuid-mask: %lu CPUID instructions answered as an AVX2-only CPU\n", atomic_load(&masked_count));
}

__attribute__((constructor)) static void install(void) {
  real_sigaction = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
  memset(&program_segv, 0, sizeof program_segv);
  program_segv.sa_handler = SIG_DFL;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  if (real_sigaction(SIGSEGV, &sa, NULL) != 0 || set_cpuid_allowed(0) != 0) {
    fprintf(stderr, "cpuid-mask: cannot enable CPUID faulting on this CPU or kernel (no cpuid_fault); refusing to run unmasked\n");
    _exit(86);
  }
  const char *want_report = getenv("E2V_CPUID_MASK_REPORT");
  if (want_report != NULL && want_report[0] == '1') atexit(report);
}
