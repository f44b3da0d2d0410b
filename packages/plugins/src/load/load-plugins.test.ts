import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../builtin/index.js';
import { makeResult, tempDir } from '../test-support/index.js';
import { loadPluginEntries, loadPlugins } from './load-plugins.js';
import { parsePluginSpec } from './spec.js';

const EXAMPLE_DIR = resolve(fileURLToPath(import.meta.url), '../../../../../examples/e2v-plugin-example');
const PLUGIN_SOURCE = (name: string) => `export default { name: '${name}', hooks: { onResult: () => ({ from: '${name}' }) } };\n`;
const analysis = { id: 'x', input: { name: 'a.wav' }, options: {} };

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

// these tests load in this thread (isolate: false) to check resolution; isolation/*.test.ts run the same through threads
const names = async (options: Parameters<typeof loadPluginEntries>[0]) => (await loadPluginEntries({ ...options, isolate: false })).map((e) => e.plugin!.name);

describe('parsePluginSpec', () => {
  it('should split off JSON options after =', () => {
    expect(parsePluginSpec('sink')).toEqual({ spec: 'sink' });
    expect(parsePluginSpec('sink={"jsonl":"a=b.jsonl"}')).toEqual({ spec: 'sink', options: { jsonl: 'a=b.jsonl' } });
    expect(parsePluginSpec('./odd=name.js')).toEqual({ spec: './odd=name.js' });
    expect(() => parsePluginSpec('sink={nope}')).toThrow(expect.objectContaining({ code: 'E2V_ERR_PLUGIN_OPTIONS' }));
  });
});

describe('loadPluginEntries', () => {
  it('should read e2v.config.json entries (spec, [spec, options]) relative to the config folder, then --plugin specs', async () => {
    await mkdir(join(dir, 'conf', 'plugins'), { recursive: true });
    await writeFile(join(dir, 'conf', 'plugins', 'one.js'), PLUGIN_SOURCE('one'));
    await writeFile(join(dir, 'two.mjs'), PLUGIN_SOURCE('two'));
    await writeFile(
      join(dir, 'conf', 'e2v.config.json'),
      JSON.stringify({ plugins: ['./plugins/one.js', ['sink', { jsonl: 'out.jsonl' }]], server: { port: 1 } }),
    );
    const entries = await loadPluginEntries({ cwd: dir, configFile: 'conf/e2v.config.json', specs: ['./two.mjs', 'alert={"rules":[]}'], isolate: false });
    expect(entries.map((e) => [e.plugin!.name, e.options, e.baseDir])).toEqual([
      ['one', undefined, join(dir, 'conf')],
      ['sink', { jsonl: 'out.jsonl' }, join(dir, 'conf')],
      ['two', undefined, dir],
      ['alert', { rules: [] }, dir],
    ]);
    expect(entries[1]!.plugin).toBe(BUILTIN_PLUGINS.sink);
  });

  it('should find the config file in cwd, and load .js and .ts configs with plugin objects', async () => {
    await writeFile(join(dir, 'p.ts'), `const name: string = 'typed';\nexport default { name, hooks: {} };\n`);
    await writeFile(join(dir, 'e2v.config.ts'), `import p from './p.ts';\nexport default { plugins: [p, [{ name: 'inline' }, { a: 1 }], 'classifier'] };\n`);
    expect(await names({ cwd: dir })).toEqual(['typed', 'inline', 'classifier']);
    expect(await names({ cwd: dir, configFile: false })).toEqual([]);
    await writeFile(join(dir, 'e2v.config.js'), `export default { plugins: ['sink'] };\n`);
    await expect(loadPluginEntries({ cwd: dir, isolate: false })).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_CONFIG_FILE', message: /More than one/ });
    expect(await names({ cwd: dir, configFile: 'e2v.config.js' })).toEqual(['sink']);
  });

  it('should resolve npm packages from node_modules through exports, main or index.js, and subpaths', async () => {
    const pkg = async (name: string, manifest: object, files: Record<string, string>) => {
      const root = join(dir, 'node_modules', name);
      for (const [file, text] of Object.entries(files)) {
        await mkdir(join(root, file, '..'), { recursive: true });
        await writeFile(join(root, file), text);
      }
      await writeFile(join(root, 'package.json'), JSON.stringify(manifest));
    };
    await pkg(
      'e2v-plugin-a',
      { type: 'module', exports: { '.': { import: './esm/a.js', require: './a.cjs' }, './extra': './extra.js' } },
      { 'esm/a.js': PLUGIN_SOURCE('a'), 'extra.js': PLUGIN_SOURCE('extra') },
    );
    await pkg('@acme/e2v-b', { type: 'module', main: 'lib/b.js' }, { 'lib/b.js': PLUGIN_SOURCE('b') });
    await pkg('e2v-plugin-c', { type: 'module' }, { 'index.js': PLUGIN_SOURCE('c') });
    await mkdir(join(dir, 'deep', 'er'), { recursive: true });
    expect(await names({ cwd: join(dir, 'deep', 'er'), specs: ['e2v-plugin-a', 'e2v-plugin-a/extra', '@acme/e2v-b', 'e2v-plugin-c'] })).toEqual([
      'a',
      'extra',
      'b',
      'c',
    ]);
  });

  it.each([
    ['E2V_ERR_PLUGIN_NOT_FOUND', 'missing-package', undefined],
    ['E2V_ERR_PLUGIN_NOT_FOUND', './missing.js', undefined],
    ['E2V_ERR_PLUGIN_LOAD', './bad.js', 'export default {;\n'],
    ['E2V_ERR_PLUGIN_LOAD', './throws.js', 'throw new Error("module body failed");\n'],
    ['E2V_ERR_PLUGIN_INVALID', './nameless.js', 'export default { hooks: {} };\n'],
    ['E2V_ERR_PLUGIN_INVALID', './bad-hook.js', 'export default { name: "x", hooks: { onResult: 1 } };\n'],
    ['E2V_ERR_PLUGIN_INVALID', './unknown-hook.js', 'export default { name: "x", hooks: { afterInfer() {} } };\n'],
    ['E2V_ERR_PLUGIN_INVALID', './no-default.js', 'export const plugin = { name: "x" };\n'],
  ])('should fail with %s for %s', async (code, spec, source) => {
    if (source !== undefined) await writeFile(join(dir, spec), source);
    await expect(loadPluginEntries({ cwd: dir, specs: [spec], isolate: false })).rejects.toMatchObject({ name: 'PluginConfigError', code, plugin: spec });
  });

  it.each([
    ['not JSON', '{ plugins: '],
    ['not an object', '[]'],
    ['plugins not an array', '{ "plugins": "sink" }'],
    ['a bad entry', '{ "plugins": [["sink"]] }'],
    ['an object entry in JSON', '{ "plugins": [{ "name": "sink" }] }'],
  ])('should reject a config file that is %s', async (_what, text) => {
    await writeFile(join(dir, 'e2v.config.json'), text);
    await expect(loadPluginEntries({ cwd: dir, isolate: false })).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_CONFIG_FILE', message: /e2v\.config\.json/ });
  });
});

describe('loadPlugins with the example plugin package', () => {
  it('should load examples/e2v-plugin-example through a config file, validate its options, tag and veto', async () => {
    await writeFile(join(dir, 'e2v.config.json'), JSON.stringify({ plugins: [[EXAMPLE_DIR, { threshold: 0.7, tag: 'review', refuseExtensions: ['.txt'] }]] }));
    const host = await loadPlugins({ cwd: dir, stateDir: 'state' });
    expect(host.plugins).toEqual([{ name: 'low-confidence', version: '1.0.0' }]);
    expect((await host.beforeAnalyze({ ...analysis, input: { name: 'notes.TXT' } })).vetoed).toEqual({
      plugin: 'low-confidence',
      reason: '.txt files are not analyzed here',
    });
    expect((await host.onResult(makeResult('sad', 0.5), analysis)).plugins).toEqual({ 'low-confidence': { low: true, threshold: 0.7, tag: 'review' } });
    expect((await host.onResult(makeResult('sad', 0.9), analysis)).plugins).toEqual({ 'low-confidence': { low: false, threshold: 0.7 } });
    await host.close();
    expect(await readFile(join(dir, 'state', 'low-confidence', 'tagged.txt'), 'utf8')).toBe('1\n');

    await writeFile(join(dir, 'e2v.config.json'), JSON.stringify({ plugins: [[EXAMPLE_DIR, { threshold: 2 }]] }));
    await expect(loadPlugins({ cwd: dir, stateDir: 'state' })).rejects.toMatchObject({ code: 'E2V_ERR_PLUGIN_OPTIONS', message: /threshold/ });
  });
});
