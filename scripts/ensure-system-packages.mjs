#!/usr/bin/env node
/**
 * Installs the Debian packages the tests need when they are missing: chromium (the web UI test
 * drives it with playwright-core), CJK + emoji fonts (so screenshots show the Chinese labels
 * and emoji), python3-numpy (the checkpoint tests cross-check against Python's pickle and NumPy),
 * redis-server (the scale-out tests run BullMQ workers against a real Redis) and, on x86-64,
 * qemu-user (scripts/test-avx2-only.mjs runs the int8 tests on an emulated AVX2-only CPU). Runs
 * apt-get directly as root, else through sudo; prints what it does and fails with one line when it
 * cannot install. Anywhere else (not Debian, or no apt-get) it installs nothing and says so in one
 * line, naming what is missing, and the tests go on.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = [
  { name: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { name: 'fonts-noto-cjk', present: () => existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc') },
  { name: 'fonts-noto-color-emoji', present: () => existsSync('/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf') },
  // the tests run `python3` from the PATH; when that is not Debian's (pyenv) and lacks numpy,
  // the package does not help it, and the closing test summary names the tests that skip
  {
    name: 'python3-numpy',
    present: () => existsSync('/usr/lib/python3/dist-packages/numpy') || spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
  },
  { name: 'redis-server', present: () => existsSync('/usr/bin/redis-server') },
  ...(process.arch === 'x64' ? [{ name: 'qemu-user', present: () => existsSync('/usr/bin/qemu-x86_64') }] : []),
];

/** True on Debian (or a derivative) with apt-get on the PATH. */
function hasApt() {
  return existsSync('/etc/debian_version') && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

const missing = PACKAGES.filter((p) => !p.present()).map((p) => p.name);
if (missing.length === 0) process.exit(0);
if (process.platform !== 'linux' || !hasApt()) {
  console.log(`ensure-system-packages: skipped (not Debian with apt-get); the tests need these, install them by hand: ${missing.join(', ')}`);
  process.exit(0);
}
const asRoot = process.getuid?.() === 0;
const run = (args) => {
  const [command, ...rest] = asRoot ? args : ['sudo', '-n', ...args];
  execFileSync(command, rest, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
};
console.log(`ensure-system-packages: installing ${missing.join(', ')} with apt-get`);
try {
  try {
    run(['apt-get', 'install', '-y', '--no-install-recommends', ...missing]);
  } catch {
    run(['apt-get', 'update']);
    run(['apt-get', 'install', '-y', '--no-install-recommends', ...missing]);
  }
} catch (error) {
  console.error(`ensure-system-packages: could not install ${missing.join(', ')} (${error.message.split('\n')[0]}); install them with apt-get as root`);
  process.exit(1);
}
