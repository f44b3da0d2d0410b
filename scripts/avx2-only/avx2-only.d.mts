/** Types of avx2-only.mjs (see there). */
export interface Avx2OnlyChoice {
  mechanism: 'native' | 'cpuid-mask' | 'qemu' | 'unavailable';
  reason: string;
}
export function buildCpuidMask(): string;
export function chooseMechanism(): Avx2OnlyChoice;
export function wrapCommand(command: string, args: string[], choice: Avx2OnlyChoice): { command: string; args: string[]; env: NodeJS.ProcessEnv };
