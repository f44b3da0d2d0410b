#!/usr/bin/env node
/**
 * The CI step that keeps e2v right on AVX2-only CPUs (part of `pnpm test`, after the main run):
 * ONNX Runtime picks different kernels there (int8 GEMMs with saturating int16 pair sums, AVX2
 * sgemm), so a green run on an AVX-512 / VNNI machine proves little about most users' laptops.
 *
 * 1. Every package whose tests run ONNX Runtime runs its tests again as an AVX2-only CPU
 *    (scripts/avx2-only: a CPUID mask at native speed, or qemu), reports in
 *    test-output/vitest-avx2.json.
 * 2. The int8 golden tests of @e2v/convert run once more under qemu-x86_64 emulating a Haswell,
 *    where no AVX-512 instruction can run at all (test-output/vitest-qemu.json, ~2-3 minutes).
 * On an AVX2-only CPU the main run already covered this, and the step says so. Elsewhere (not
 * x86-64 Linux) it says why it cannot run and passes.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseMechanism, wrapCommand } from './avx2-only/avx2-only.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Packages whose tests run ONNX Runtime (directly or through the engine). */
const ORT_PACKAGES = ['packages/convert', 'packages/engine', 'packages/plugins', 'packages/server', 'packages/cli', 'test'];
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

function vitest(dir, choice, report, extraArgs) {
  const wrapped = wrapCommand(process.execPath, [VITEST, 'run', ...extraArgs], choice);
  console.log(`\n== ${dir}: vitest as an AVX2-only CPU (${choice.mechanism}) ==`);
  const run = spawnSync(wrapped.command, wrapped.args, { cwd: join(ROOT, dir), stdio: 'inherit', env: { ...wrapped.env, E2V_TEST_REPORT: report } });
  return run.status === 0;
}

const choice = chooseMechanism();
if (choice.mechanism === 'native' || choice.mechanism === 'unavailable') {
  console.log(`avx2-only tests: skipped, ${choice.reason}${choice.mechanism === 'native' ? ': the main run was the AVX2-only run' : ''}`);
  process.exit(0);
}
let ok = true;
if (choice.mechanism === 'cpuid-mask') {
  for (const dir of ORT_PACKAGES) ok = vitest(dir, choice, 'test-output/vitest-avx2.json', []) && ok;
}
process.env.E2V_AVX2_ONLY = 'qemu';
const qemu = chooseMechanism();
if (qemu.mechanism === 'qemu') {
  // one process (threads pool): qemu-user emulates only the process it starts
  ok =
    vitest('packages/convert', qemu, 'test-output/vitest-qemu.json', [
      'src/onnx/quantize-int8.test.ts',
      '--pool',
      'threads',
      '--testTimeout',
      '900000',
      '--hookTimeout',
      '900000',
    ]) && ok;
} else {
  console.log(`avx2-only tests: no qemu cross-check (${qemu.reason})`);
  if (choice.mechanism !== 'cpuid-mask') ok = false;
}
process.exit(ok ? 0 : 1);
