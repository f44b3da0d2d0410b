import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint/open.js';
import { goldenFile, HAS_PYTHON_NUMPY, tempDir, torchLoadMimic } from '../checkpoint/test-support/checkpoints.js';
import { parseConfig } from '../config/config.js';
import { modelTensorSpecs, type TensorRole } from '../config/tensor-specs.js';
import { parseTokens } from '../config/tokens.js';
import { validateTensors } from '../config/validate-tensors.js';
import { ConfigError } from '../errors.js';
import { synthCheckpoint, SYNTH_MARKER } from './synth.js';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('synthCheckpoint', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());
  const config = goldenFile('tiny-a', 'config.yaml');

  it('should write a model that validates against its config, with the release tokens and a marker', async () => {
    const out = join(dir, 'a');
    const report = await synthCheckpoint({ config, out, seed: 42 });
    const parsed = parseConfig(readFileSync(join(out, 'config.yaml'), 'utf8'));
    const labels = parseTokens(readFileSync(join(out, 'tokens.txt'), 'utf8'));
    expect(readFileSync(join(out, 'tokens.txt'))).toEqual(readFileSync(goldenFile('tiny-a', 'tokens.txt')));
    expect(readFileSync(join(out, 'config.yaml'))).toEqual(readFileSync(config));
    expect(JSON.parse(readFileSync(join(out, SYNTH_MARKER), 'utf8'))).toEqual({ random: true, seed: 42, config: sha256(config) });
    const specs = modelTensorSpecs(parsed, labels.length);
    expect(report).toEqual({
      out,
      modelPath: join(out, 'model.pt'),
      modelBytes: readFileSync(join(out, 'model.pt')).length,
      tensors: specs.length,
      parameters: specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0),
      seed: 42,
      configSha256: sha256(config),
    });
    const ckpt = await openCheckpoint(report.modelPath);
    try {
      validateTensors(parsed, labels.length, ckpt.tensors);
      const byRole = new Map<TensorRole, number[]>();
      for (const spec of specs) {
        const values = Array.from(await ckpt.read(spec.name));
        expect(values.every(Number.isFinite), spec.name).toBe(true);
        byRole.set(spec.role, [...(byRole.get(spec.role) ?? []), ...values]);
      }
      const range = (role: TensorRole): [number, number] => [Math.min(...byRole.get(role)!), Math.max(...byRole.get(role)!)];
      const std = (role: TensorRole): number => Math.sqrt(byRole.get(role)!.reduce((a, v) => a + v * v, 0) / byRole.get(role)!.length);
      expect(range('alibi-scale')[0]).toBeGreaterThanOrEqual(0.3);
      expect(range('alibi-scale')[1]).toBeLessThan(1.8);
      expect(range('norm-weight')[0]).toBeGreaterThanOrEqual(0.9);
      expect(range('norm-weight')[1]).toBeLessThan(1.1);
      expect(std('weight')).toBeCloseTo(0.02, 2);
      expect(std('extra-tokens')).toBeGreaterThan(0.8);
      expect(std('extra-tokens')).toBeLessThan(1.2);
    } finally {
      await ckpt.close();
    }
  });

  it('should be deterministic for a seed', async () => {
    const first = await synthCheckpoint({ config, out: join(dir, 'b1'), seed: 5 });
    const again = await synthCheckpoint({ config, out: join(dir, 'b2'), seed: 5 });
    const other = await synthCheckpoint({ config, out: join(dir, 'b3'), seed: 6 });
    expect(sha256(again.modelPath)).toBe(sha256(first.modelPath));
    expect(sha256(other.modelPath)).not.toBe(sha256(first.modelPath));
    expect(first.seed).toBe(5);
    expect((await synthCheckpoint({ config, out: join(dir, 'b4') })).seed).toBe(0);
  });

  it.skipIf(!HAS_PYTHON_NUMPY)('should use exactly the release pickle globals and fairseq layout', async () => {
    const report = await synthCheckpoint({ config, out: join(dir, 'c'), seed: 1 });
    const mimic = torchLoadMimic(report.modelPath);
    expect(mimic.globals).toEqual(['collections.OrderedDict', 'torch.FloatStorage', 'torch._utils._rebuild_tensor_v2']);
    expect(mimic.top).toEqual(['args', 'cfg', 'model', 'criterion', 'optimizer_history', 'task_state', 'extra_state', 'last_optimizer_state']);
    expect(mimic.prefix).toBe('model/');
    expect(Object.keys(mimic.tensors).filter((k) => !k.startsWith('d2v_model.'))).toEqual(['proj.weight', 'proj.bias']);
    expect(Object.keys(mimic.tensors)).toHaveLength(report.tensors);
  });

  describe('EXPECTED FAILURE', () => {
    it('should reject an unsupported config before writing anything', async () => {
      const out = join(dir, 'd');
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, readFileSync(config, 'utf8').replace('layer_norm_first: false', 'layer_norm_first: true'));
      await expect(synthCheckpoint({ config: bad, out })).rejects.toMatchObject({ code: 'E2V_ERR_CONFIG_UNSUPPORTED' });
      expect(existsSync(out)).toBe(false);
    });

    it('should report a missing config file', async () => {
      const error = await synthCheckpoint({ config: join(dir, 'none.yaml'), out: join(dir, 'e') }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'E2V_ERR_CONFIG_READ', message: expect.stringContaining('none.yaml') });
    });

    it.each([-1, 1.5, 2 ** 32])('should reject seed %d', async (seed) => {
      await expect(synthCheckpoint({ config, out: join(dir, 'f'), seed })).rejects.toThrow(RangeError);
    });
  });
});
