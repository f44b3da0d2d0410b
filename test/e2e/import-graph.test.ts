/**
 * Each package depends only downward, checked over the real imports: the layer table below says
 * which package may use which; every `@e2v/*` import of every package's files and every
 * package.json entry must fit it (support/import-graph.ts). Also the checker itself, on small
 * made-up repositories.
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPackageGraph, workspacePackages, type LayerRules } from '../support/import-graph.js';
import { repositoryFiles } from '../support/repository-files.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The layer table. Layer 0: the contracts; 1: the leaf libraries; 2: the converter and the
 * engine; 3: plugins; 4: the queue (workers and submitters on BullMQ); 5: the server; 6: the command
 * line; the cross-package tests on top.
 * A package's own tests and benches may also use any lower layer and the dev-only helpers.
 */
const RULES: LayerRules = {
  packages: {
    '@e2v/core': { layer: 0, uses: [] },
    '@e2v/native': { layer: 1, uses: ['@e2v/core'] },
    '@e2v/npy': { layer: 1, uses: [] },
    '@e2v/convert': { layer: 2, uses: ['@e2v/core'] },
    '@e2v/engine': { layer: 2, uses: ['@e2v/core', '@e2v/native', '@e2v/npy'] },
    '@e2v/plugins': { layer: 3, uses: ['@e2v/core', '@e2v/engine', '@e2v/npy'] },
    '@e2v/queue': { layer: 4, uses: ['@e2v/core', '@e2v/engine', '@e2v/plugins'] },
    '@e2v/server': { layer: 5, uses: ['@e2v/core', '@e2v/engine', '@e2v/native', '@e2v/plugins'] },
    '@e2v/cli': { layer: 6, uses: ['@e2v/core', '@e2v/convert', '@e2v/engine', '@e2v/native', '@e2v/npy', '@e2v/plugins', '@e2v/queue', '@e2v/server'] },
    '@e2v/testkit': { layer: 2, uses: ['@e2v/npy'], devOnly: true },
    '@e2v/benchkit': { layer: 2, uses: [], devOnly: true },
    '@e2v/test': { layer: 7, uses: [], devOnly: true },
  },
  devExceptions: [
    {
      from: '@e2v/engine',
      to: '@e2v/convert',
      reason:
        "the engine's tests convert the golden tiny checkpoints into the model folders they load, and read checkpoints to compare the graph with its weights",
    },
    { from: '@e2v/native', to: '@e2v/npy', reason: "the addon's golden tests read their NumPy fixtures" },
  ],
  home: { name: '@e2v/core', index: 'packages/core/src/index.ts' },
};

describe('the package graph', () => {
  const files = repositoryFiles(ROOT);

  it('should follow the layer table: no sideways or upward edge, no undeclared import, the contracts from @e2v/core', () => {
    expect(checkPackageGraph(ROOT, files, RULES).map((p) => `${p.where}: ${p.message}`)).toEqual([]);
  });

  it('should have a row in the table for every workspace package, and none for a package that is gone', () => {
    expect(
      workspacePackages(ROOT, files)
        .map((p) => p.name)
        .sort(),
    ).toEqual(Object.keys(RULES.packages).sort());
  });

  it('should keep @e2v/core free of runtime dependencies', () => {
    const json = JSON.parse(readFileSync(join(ROOT, 'packages/core/package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(json.dependencies ?? {}).toEqual({});
  });
});

describe('checkPackageGraph', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  const TINY: LayerRules = {
    packages: {
      '@e2v/core': { layer: 0, uses: [] },
      '@e2v/engine': { layer: 1, uses: ['@e2v/core'] },
      '@e2v/convert': { layer: 1, uses: ['@e2v/core'] },
      '@e2v/testkit': { layer: 1, uses: [], devOnly: true },
    },
    devExceptions: [{ from: '@e2v/engine', to: '@e2v/convert', reason: 'tests convert models' }],
    home: { name: '@e2v/core', index: 'packages/core/src/index.ts' },
  };

  /** A made-up repository of core, engine, convert and testkit (outside any git checkout). */
  function repository(extra: Record<string, string>, engineJson: object = {}): string[] {
    root = mkdtempSync(join(tmpdir(), 'e2v-graph-'));
    const pkg = (name: string, more: object = {}): string => JSON.stringify({ name, ...more });
    const all: Record<string, string> = {
      'packages/core/package.json': pkg('@e2v/core'),
      'packages/core/src/index.ts': "export type Result = { emotion: string };\nexport const csvLine = (v: string[]): string => v.join(',');\n",
      'packages/convert/package.json': pkg('@e2v/convert', { dependencies: { '@e2v/core': 'workspace:*' } }),
      'packages/convert/src/index.ts': "import type { Result } from '@e2v/core';\nexport type { Result };\n",
      'packages/testkit/package.json': pkg('@e2v/testkit'),
      'packages/engine/package.json': pkg('@e2v/engine', { dependencies: { '@e2v/core': 'workspace:*' }, ...engineJson }),
      'packages/engine/src/engine.ts': "// import { x } from '@e2v/convert' in a comment does not count\nimport type { Result } from '@e2v/core';\n",
      ...extra,
    };
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return repositoryFiles(root);
  }

  function problems(files: string[]): string[] {
    return checkPackageGraph(root!, files, TINY).map((p) => `${p.where}: ${p.message}`);
  }

  it('should pass a repository that follows the table, with comments and strings ignored', () => {
    expect(problems(repository({ 'packages/engine/src/name.ts': "export const NAME = '@e2v/convert';\n" }))).toEqual([]);
  });

  it('should name the file and the import of a sideways runtime edge, and the package.json entry', () => {
    const files = repository(
      { 'packages/engine/src/model.ts': "import { convert } from '@e2v/convert';\n" },
      { dependencies: { '@e2v/core': 'workspace:*', '@e2v/convert': 'workspace:*' } },
    );
    expect(problems(files)).toEqual([
      'packages/engine/package.json dependencies: @e2v/engine lists @e2v/convert at runtime, but the layer table does not let @e2v/engine use @e2v/convert',
      "packages/engine/src/model.ts: @e2v/engine imports '@e2v/convert' at runtime, but the layer table does not let @e2v/engine use @e2v/convert",
    ]);
  });

  it('should let tests use an exception and the dev-only helpers, but not another package beside them', () => {
    const test = "import { convert } from '@e2v/convert';\nimport { fixture } from '@e2v/testkit';\n";
    const allowed = repository(
      { 'packages/engine/src/engine.test.ts': test },
      { devDependencies: { '@e2v/convert': 'workspace:*', '@e2v/testkit': 'workspace:*' } },
    );
    expect(problems(allowed)).toEqual([]);
    rmSync(root!, { recursive: true, force: true });
    const sideways = repository({
      'packages/convert/src/convert.test.ts': "import { Engine } from '@e2v/engine';\n",
      'packages/convert/package.json': JSON.stringify({
        name: '@e2v/convert',
        dependencies: { '@e2v/core': 'workspace:*' },
        devDependencies: { '@e2v/engine': 'workspace:*' },
      }),
    });
    expect(problems(sideways)).toEqual([
      'packages/convert/package.json devDependencies: @e2v/convert lists @e2v/engine in tests or benches, but @e2v/engine is not on a lower layer and no exception lists it',
      "packages/convert/src/convert.test.ts: @e2v/convert imports '@e2v/engine' in tests or benches, but @e2v/engine is not on a lower layer and no exception lists it",
    ]);
  });

  it('should report an import its package.json does not list, and a package outside the table', () => {
    const files = repository({ 'packages/engine/src/more.ts': "import { a } from '@e2v/testkit';\nexport { b } from '@e2v/nowhere/sub';\n" });
    expect(problems(files)).toEqual([
      "packages/engine/src/more.ts: @e2v/engine imports '@e2v/testkit' at runtime, but the layer table does not let @e2v/engine use @e2v/testkit",
      "packages/engine/src/more.ts: @e2v/engine imports '@e2v/testkit', but packages/engine/package.json does not list it in dependencies",
      "packages/engine/src/more.ts: @e2v/engine imports '@e2v/nowhere/sub': @e2v/nowhere is not in the layer table",
    ]);
  });

  it("should report a name of @e2v/core imported through another package's re-export", () => {
    const files = repository({
      'packages/testkit/src/index.ts': "import type { Result } from '@e2v/convert';\n",
      'packages/testkit/package.json': JSON.stringify({ name: '@e2v/testkit', dependencies: { '@e2v/convert': 'workspace:*' } }),
    });
    expect(problems(files)).toContain("packages/testkit/src/index.ts: imports Result from '@e2v/convert'; its home is @e2v/core");
  });

  it('should report a row of the table that uses a package not below it', () => {
    repository({});
    const rules: LayerRules = { ...TINY, packages: { ...TINY.packages, '@e2v/core': { layer: 0, uses: ['@e2v/engine'] } } };
    expect(checkPackageGraph(root!, [], rules).map((p) => p.message)).toEqual([
      '@e2v/core (layer 0) uses @e2v/engine, which is not a package on a lower layer',
    ]);
  });
});
