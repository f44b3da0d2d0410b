#!/usr/bin/env node
/**
 * Runs a command as it would run on an AVX2-only x86-64 CPU (Haswell to Zen 3, most laptops),
 * whatever this machine's CPU: ONNX Runtime then takes the kernels such CPUs take (u8 x s8 int8
 * GEMMs with int16 pair sums instead of VNNI, AVX2 sgemm instead of AVX-512).
 *
 *   node scripts/avx2-only/avx2-only.mjs <command> [args...]
 *
 * How, in order of preference:
 * - `native`: this CPU has no AVX-512, AVX-VNNI or AMX: the command runs as it is.
 * - `cpuid-mask`: the CPU can fault on CPUID (`cpuid_fault` in /proc/cpuinfo): cpuid-mask.c,
 *   compiled once into node_modules/.cache/e2v/, is preloaded and answers every CPUID with those
 *   extensions cleared. Native speed, for whole test suites and benchmarks.
 * - `qemu`: Debian's qemu-user emulates a Haswell (`qemu-x86_64 -cpu Haswell`): no AVX-512
 *   instruction can run at all, about 40x slower. Only for a `node` command, whose child
 *   processes are not emulated (run vitest with `--pool threads`).
 * `E2V_AVX2_ONLY=qemu` (or `cpuid-mask`) picks one. Prints one line saying which, on stderr.
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const SHIM_SOURCE = join(HERE, 'cpuid-mask.c');
const SHIM = join(ROOT, 'node_modules', '.cache', 'e2v', 'cpuid-mask.so');
/** A Haswell without the system features user-mode TCG cannot emulate (and would warn about on every thread). */
const QEMU_CPU = 'Haswell,-rtm,-hle,-pcid,-x2apic,-tsc-deadline,-invpcid';
/** Extensions an AVX2-only CPU lacks, by their /proc/cpuinfo names. */
const BEYOND_AVX2 = ['avx512f', 'avx512_vnni', 'avx_vnni', 'amx_tile', 'amx_int8'];

function hostFlags() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    return new Set(line?.split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

function onPath(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Compiles the CPUID mask unless an up-to-date build exists; returns its path. */
export function buildCpuidMask() {
  if (existsSync(SHIM) && statSync(SHIM).mtimeMs >= statSync(SHIM_SOURCE).mtimeMs) return SHIM;
  mkdirSync(dirname(SHIM), { recursive: true });
  execFileSync('cc', ['-O2', '-shared', '-fPIC', '-Wall', '-Wextra', '-o', SHIM, SHIM_SOURCE, '-ldl'], { stdio: 'inherit' });
  return SHIM;
}

/**
 * How this machine can run a command as an AVX2-only CPU.
 * @returns {{ mechanism: 'native' | 'cpuid-mask' | 'qemu' | 'unavailable', reason: string }}
 */
export function chooseMechanism() {
  if (process.arch !== 'x64' || process.platform !== 'linux')
    return { mechanism: 'unavailable', reason: `not x86-64 Linux (${process.platform}-${process.arch})` };
  const flags = hostFlags();
  const extra = BEYOND_AVX2.filter((f) => flags.has(f));
  if (!flags.has('avx2')) return { mechanism: 'unavailable', reason: 'this CPU has no AVX2' };
  const wanted = process.env.E2V_AVX2_ONLY;
  if (extra.length === 0 && wanted === undefined) return { mechanism: 'native', reason: 'this CPU is AVX2-only already' };
  const canMask = flags.has('cpuid_fault') && onPath('cc');
  const canQemu = onPath('qemu-x86_64');
  if ((wanted === undefined || wanted === 'cpuid-mask') && canMask) return { mechanism: 'cpuid-mask', reason: `hiding ${extra.join(' ')} from CPUID` };
  if ((wanted === undefined || wanted === 'qemu') && canQemu) return { mechanism: 'qemu', reason: `qemu-x86_64 -cpu ${QEMU_CPU}` };
  return { mechanism: 'unavailable', reason: `the CPU has ${extra.join(' ')}, no cpuid_fault, and qemu-x86_64 is not installed (apt-get install qemu-user)` };
}

/**
 * The command line and environment that run `command args` as an AVX2-only CPU.
 * @param {string} command
 * @param {string[]} args
 * @param {{ mechanism: string }} choice from {@link chooseMechanism}
 */
export function wrapCommand(command, args, choice) {
  const env = { ...process.env, E2V_AVX2_ONLY_MECHANISM: choice.mechanism };
  switch (choice.mechanism) {
    case 'native':
      return { command, args, env };
    case 'cpuid-mask':
      return { command, args, env: { ...env, LD_PRELOAD: [buildCpuidMask(), process.env.LD_PRELOAD].filter(Boolean).join(' ') } };
    case 'qemu':
      if (basename(command) !== 'node' && command !== process.execPath) throw new Error(`qemu mode runs node only, not ${command}`);
      return { command: 'qemu-x86_64', args: ['-cpu', QEMU_CPU, process.execPath, ...args], env };
    default:
      throw new Error(`cannot run as an AVX2-only CPU here: ${choice.reason}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined) {
    console.error('usage: node scripts/avx2-only/avx2-only.mjs <command> [args...]');
    process.exit(2);
  }
  const choice = chooseMechanism();
  console.error(`avx2-only: ${choice.mechanism} (${choice.reason})`);
  if (choice.mechanism === 'unavailable') process.exit(3);
  const wrapped = wrapCommand(command, args, choice);
  const child = spawn(wrapped.command, wrapped.args, { stdio: 'inherit', env: wrapped.env });
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}
