import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Engine } from '@e2v/engine';
import { GOLDEN_DIR, testModelDir } from '@e2v/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeWithPlugins } from './analyze.js';
import { definePlugin } from './define.js';
import { createPluginHost } from './host.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load(testModelDir('tiny-a'), { threads: 1 });
});
afterAll(() => engine.close());

const seen: string[] = [];
/** The outputs folder of the analysis under test, and what it held while onResult ran. */
const watched: { outputDir: string | undefined; namesDuringOnResult: string[] | undefined } = { outputDir: undefined, namesDuringOnResult: undefined };
afterEach(() => {
  watched.outputDir = undefined;
  watched.namesDuringOnResult = undefined;
});
const recorder = definePlugin({
  name: 'recorder',
  hooks: {
    beforeAnalyze: (event) => (event.input.name === 'refuse.wav' ? { veto: 'not this one' } : { annotate: { seen: event.input.name } }),
    onResult: async (event) => {
      const { outputDir } = watched;
      if (outputDir !== undefined) {
        const names = await readdir(outputDir);
        watched.namesDuringOnResult = names;
        // a plugin that removes the staged folder: the files cannot be committed
        if (event.input.name === 'sabotage.wav') for (const name of names) await rm(join(outputDir, name), { recursive: true });
      }
      return { top: event.result.emotion, annotation: event.annotations?.recorder, dims: event.embedding?.shape };
    },
    onError: (event) => {
      seen.push(`error ${event.id} ${event.error.code ?? ''}`);
    },
  },
});

async function host(): Promise<Awaited<ReturnType<typeof createPluginHost>>> {
  return createPluginHost({ plugins: [{ plugin: recorder, options: {} }], stateDir: await mkdtemp(join(tmpdir(), 'e2v-plugins-')) });
}

describe('analyzeWithPlugins', () => {
  it('should write the outputs folder once, after the plugins, with their outputs in result.json', async () => {
    const plugins = await host();
    const outputs = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const bytes = await readFile(join(GOLDEN_DIR, 'inputs', 'speech_16k_mono.wav'));
    watched.outputDir = outputs;
    const analysis = await analyzeWithPlugins(plugins, { id: 'a1', input: { name: 'speech.wav' }, options: { embedding: true } }, () =>
      engine.analyzeStaged(bytes, { embedding: true, outputDir: outputs }),
    );
    expect(analysis.result.plugins.recorder).toEqual({ top: analysis.result.emotion, annotation: { seen: 'speech.wav' }, dims: [32] });
    const saved = JSON.parse(await readFile(join(analysis.outputDir!, 'result.json'), 'utf8')) as { plugins: unknown };
    expect(saved.plugins).toEqual(analysis.result.plugins);
    // while onResult ran, the folder was only staged under its hidden name
    expect(watched.namesDuringOnResult).toEqual([expect.stringMatching(/^\.outputs-tmp-/)]);
    expect(await readdir(outputs)).toEqual([basename(analysis.outputDir!)]);
    expect((await readdir(analysis.outputDir!)).sort()).toEqual(['embedding.npy', 'processed_audio.wav', 'result.json']);
    await plugins.close();
  });

  it('should write the engine result without a plugin host', async () => {
    const outputs = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const bytes = await readFile(join(GOLDEN_DIR, 'inputs', 'speech_16k_mono.wav'));
    const analysis = await analyzeWithPlugins(undefined, { id: 'a4', input: { name: 'speech.wav' }, options: {} }, () =>
      engine.analyzeStaged(bytes, { outputDir: outputs }),
    );
    const saved = JSON.parse(await readFile(join(analysis.outputDir!, 'result.json'), 'utf8')) as Record<string, unknown>;
    expect(saved).toEqual(JSON.parse(JSON.stringify(analysis.result)));
    expect(saved.plugins).toBeUndefined();
  });

  it('should tell onError when the outputs folder cannot be written after onResult, and leave nothing behind', async () => {
    const plugins = await host();
    const outputs = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const bytes = await readFile(join(GOLDEN_DIR, 'inputs', 'speech_16k_mono.wav'));
    watched.outputDir = outputs;
    const failure = analyzeWithPlugins(plugins, { id: 'a5', input: { name: 'sabotage.wav' }, options: {} }, () =>
      engine.analyzeStaged(bytes, { outputDir: outputs }),
    );
    await expect(failure).rejects.toMatchObject({ code: 'E2V_ERR_OUTPUT_WRITE' });
    expect(seen).toContain('error a5 E2V_ERR_OUTPUT_WRITE');
    expect(await readdir(outputs)).toEqual([]);
    await plugins.close();
  });

  it('should discard the staged files when the plugins cannot run', async () => {
    const plugins = await host();
    const outputs = await mkdtemp(join(tmpdir(), 'e2v-outputs-'));
    const bytes = await readFile(join(GOLDEN_DIR, 'inputs', 'speech_16k_mono.wav'));
    const failure = analyzeWithPlugins(plugins, { id: 'a6', input: { name: 'speech.wav' }, options: {} }, async () => {
      const staged = await engine.analyzeStaged(bytes, { outputDir: outputs });
      await plugins.close(); // onResult now rejects
      return staged;
    });
    await expect(failure).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_HOST_CLOSED' });
    expect(await readdir(outputs)).toEqual([]);
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
    const failure = analyzeWithPlugins(plugins, { id: 'a3', input: { name: 'bad.wav' }, options: {} }, () => engine.analyzeStaged(new Uint8Array([1, 2, 3])));
    await expect(failure).rejects.toMatchObject({ code: 'E2V_ERR_AUDIO_UNSUPPORTED' });
    expect(seen).toContain('error a3 E2V_ERR_AUDIO_UNSUPPORTED');
    await plugins.close();
  });
});
