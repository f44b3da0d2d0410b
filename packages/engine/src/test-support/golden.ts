/**
 * Engine-only test helper (not built into dist); the golden data and converted models are in
 * @e2v/testkit.
 * @module
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testModelDir, type TestModel } from '@e2v/testkit';

/** A private, writable copy of a converted test model. */
export async function modelCopy(name: TestModel): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'e2v-engine-model-')), name);
  await cp(testModelDir(name), dir, { recursive: true });
  return dir;
}
