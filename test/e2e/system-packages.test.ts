import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/ensure-system-packages.mjs', import.meta.url));

describe('scripts/ensure-system-packages.mjs', () => {
  it('should skip with one line naming what is missing, not fail, where there is no apt-get', () => {
    // no PATH: neither apt-get nor python3 (so python3-numpy counts as missing) can be found
    const run = spawnSync(process.execPath, [script], { env: { PATH: '/nonexistent' }, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^ensure-system-packages: skipped \(not Debian with apt-get\); the tests need these, install them by hand: .*python3-numpy.*\n$/,
    );
  });
});
