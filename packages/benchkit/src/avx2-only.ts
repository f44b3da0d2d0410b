/**
 * Benchmarks that also report figures for AVX2-only CPUs start their children through the
 * repository's scripts/avx2-only launcher (a CPUID mask, qemu, or nothing on such a CPU).
 * @module
 */
import { chooseMechanism, wrapCommand, type Avx2OnlyChoice } from '../../../scripts/avx2-only/avx2-only.mjs';

export type { Avx2OnlyChoice };

/** How this machine runs commands as an AVX2-only CPU (see scripts/avx2-only/avx2-only.mjs). */
export function avx2OnlyMechanism(): Avx2OnlyChoice {
  return chooseMechanism();
}

/**
 * The command, arguments and environment that run `command args` as an AVX2-only CPU.
 * @throws Error when this machine cannot (mechanism `unavailable`)
 */
export function avx2OnlyCommand(command: string, args: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return wrapCommand(command, [...args], chooseMechanism());
}
