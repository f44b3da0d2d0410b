import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '@e2v/engine';
import { GOLDEN_DIR, testModelDir } from '@e2v/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeWithPlugins } from './analyze.js';
import { definePlugin } from './define.js';
import { createPluginHost } from './host.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load(testModelDir('tiny-a'), { threads: 1 });
});
afterAll(() => engine.close());

const seen: string[] = [];
const recorder = definePlugin({
  name: 'recorder',
  hooks: {
    beforeAnalyze: (event) => (event.input.name === 'refuse.wav' ? { veto: 'not this one' } : { annotate: { seen: event.input.name } }),
    onResult: (event) => ({ top: event.result.emotion, annotation: event.annotations?.recorder, dims: event.embedding?.shape }),
    onError: (event) => {
      seen.push(`error ${event.id}`);
    },
  },
});

async function host(): Promise<Awaited<ReturnType<typeof createPluginHost>>> {
  return createPluginHost({ plugins: [{ plugin: recorder, options: {} }], stateDir: await mkdtemp(join(tmpdir(), 'e2v-plugins-')) });
}

describe('analyzeWithPlugins', () => {
  it('should add the plugin outputs to the result and to the saved result.json', async () => {
    const plugins = await host();
    const outputs = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const bytes = await readFile(join(GOLDEN_DIR, 'inputs', 'speech_16k_mono.wav'));
    const analysis = await analyzeWithPlugins(plugins, { id: 'a1', input: { name: 'speech.wav' }, options: { embedding: true } }, () =>
      engine.analyze(bytes, { embedding: true, outputDir: outputs }),
    );
    expect(analysis.result.plugins.recorder).toEqual({ top: analysis.result.emotion, annotation: { seen: 'speech.wav' }, dims: [32] });
    const saved = JSON.parse(await readFile(join(analysis.outputDir!, 'result.json'), 'utf8')) as { plugins: unknown };
    expect(saved.plugins).toEqual(analysis.result.plugins);
    await plugins.close();
  });

  it('should stop a vetoed analysis before it runs', async () => {
    const plugins = await host();
    let ran = false;
    const vetoed = analyzeWithPlugins(plugins, { id: 'a2', input: { name: 'refuse.wav' }, options: {} }, async () => {
      ran = true;
      throw new Error('must not run');
    });
    await expect(vetoed).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_VETO', plugin: 'recorder', reason: 'not this one' });
    expect(ran).toBe(false);
    await plugins.close();
  });

  it('should tell onError and pass the analysis error on unchanged', async () => {
    const plugins = await host();
    const failure = analyzeWithPlugins(plugins, { id: 'a3', input: { name: 'bad.wav' }, options: {} }, () => engine.analyze(new Uint8Array([1, 2, 3])));
    await expect(failure).rejects.toMatchObject({ code: 'E2V_ERR_AUDIO_UNSUPPORTED' });
    expect(seen).toEqual(['error a3']);
    await plugins.close();
  });
});
