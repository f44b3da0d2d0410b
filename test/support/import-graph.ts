/**
 * The workspace's package graph as the code has it, and the layer rule it must follow. For every
 * package (`native/`, `packages/*`, `test/`) the graph holds each `@e2v/*` package its
 * package.json lists and each one its files import, marked `runtime` (`dependencies`, or a file
 * the package ships: `src/` or `lib/` without tests and test support) or `dev`
 * (`devDependencies`, tests, test support, benches, scripts). Imports are read with TypeScript's
 * own scanner, so comments and strings never count.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

/** Whether an edge is needed to run the package (`runtime`) or only to test or bench it (`dev`). */
export type EdgeKind = 'runtime' | 'dev';

/** One use of a package by another. */
export interface PackageEdge {
  /** The package that uses, e.g. `@e2v/cli`. */
  from: string;
  /** The package used, e.g. `@e2v/engine`. */
  to: string;
  kind: EdgeKind;
  /** Where: `<dir>/package.json dependencies` (or `devDependencies`), or the importing file. */
  where: string;
  /** The import specifier as written, for an import; absent for a package.json entry. */
  specifier?: string;
}

/** A workspace package: its folder and what its package.json declares. */
export interface WorkspacePackage {
  name: string;
  /** Folder relative to the root, e.g. `packages/engine`. */
  dir: string;
  dependencies: string[];
  devDependencies: string[];
}

/** One package's row of the layer table. */
export interface PackageRule {
  /** Its layer, 0 at the bottom. */
  layer: number;
  /** The packages it may use at runtime, each on a lower layer. */
  uses: readonly string[];
  /** A test or bench helper: never a runtime dependency; any package's tests and benches may use it. */
  devOnly?: boolean;
}

/** The layer rule: who may use whom. */
export interface LayerRules {
  /** Every workspace package's row. */
  packages: Readonly<Record<string, PackageRule>>;
  /** Dev edges allowed beyond the layers (tests that need a package beside or above them), each with its reason. */
  devExceptions: readonly { from: string; to: string; reason: string }[];
  /** The package whose exported names are imported from it only, never through a re-export (`@e2v/core`). */
  home: { name: string; index: string };
}

/** An edge the rules do not allow, or an import package.json does not declare. */
export interface GraphProblem {
  where: string;
  message: string;
}

const SCOPE = '@e2v/';
const CODE_FILE = /\.(?:[cm]?ts|[cm]?js)$/;
const PACKAGE_JSON = /^(?:native|test|packages\/[^/]+)\/package\.json$/;

/** True for a file the package ships (its runtime code): under `src/` or `lib/`, not a test or test support. */
function isShipped(pathInPackage: string): boolean {
  if (!/^(?:src|lib)\//.test(pathInPackage)) return false;
  return !/\.test\.[cm]?[jt]s$/.test(pathInPackage) && !pathInPackage.split('/').includes('test-support');
}

/** `@e2v/engine` out of `@e2v/engine` or `@e2v/engine/sub/path`; undefined for any other specifier. */
function workspacePackageOf(specifier: string): string | undefined {
  if (!specifier.startsWith(SCOPE)) return undefined;
  return specifier.split('/').slice(0, 2).join('/');
}

function scoped(deps: unknown): string[] {
  return Object.keys((deps ?? {}) as Record<string, string>)
    .filter((name) => name.startsWith(SCOPE))
    .sort();
}

/**
 * The workspace packages among the repository's files.
 * @param root the repository's top folder
 * @param files the repository's files, relative to `root` (see repository-files.ts)
 */
export function workspacePackages(root: string, files: readonly string[]): WorkspacePackage[] {
  return files
    .filter((file) => PACKAGE_JSON.test(file))
    .map((file) => {
      const json = JSON.parse(readFileSync(join(root, file), 'utf8')) as { name: string; dependencies?: unknown; devDependencies?: unknown };
      return { name: json.name, dir: posix.dirname(file), dependencies: scoped(json.dependencies), devDependencies: scoped(json.devDependencies) };
    });
}

/**
 * Every edge of the package graph: package.json entries and imports.
 * @param root the repository's top folder
 * @param files the repository's files, relative to `root`
 */
export function packageEdges(root: string, files: readonly string[]): PackageEdge[] {
  const packages = workspacePackages(root, files);
  const edges: PackageEdge[] = packages.flatMap((p) => [
    ...p.dependencies.map((to): PackageEdge => ({ from: p.name, to, kind: 'runtime', where: `${p.dir}/package.json dependencies` })),
    ...p.devDependencies.map((to): PackageEdge => ({ from: p.name, to, kind: 'dev', where: `${p.dir}/package.json devDependencies` })),
  ]);
  for (const file of files) {
    const owner = packages.find((p) => file.startsWith(`${p.dir}/`));
    if (owner === undefined || !CODE_FILE.test(file)) continue;
    const kind: EdgeKind = isShipped(file.slice(owner.dir.length + 1)) ? 'runtime' : 'dev';
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true).importedFiles) {
      const to = workspacePackageOf(specifier);
      if (to !== undefined && to !== owner.name) edges.push({ from: owner.name, to, kind, where: file, specifier });
    }
  }
  return edges;
}

/** Problems of the table itself: a `uses` entry that is not on a lower layer, or is a dev-only package. */
function tableProblems(rules: LayerRules): GraphProblem[] {
  return Object.entries(rules.packages).flatMap(([name, rule]) =>
    rule.uses
      .filter((used) => !(rules.packages[used] !== undefined && rules.packages[used].layer < rule.layer && rules.packages[used].devOnly !== true))
      .map((used) => ({ where: 'the layer table', message: `${name} (layer ${rule.layer}) uses ${used}, which is not a package on a lower layer` })),
  );
}

/** What one edge breaks: the layer table, or its package.json. */
function edgeProblems(edge: PackageEdge, rules: LayerRules, declared: ReadonlyMap<string, WorkspacePackage>): GraphProblem[] {
  const what = edge.specifier === undefined ? `${edge.from} lists ${edge.to}` : `${edge.from} imports '${edge.specifier}'`;
  const from = rules.packages[edge.from];
  const to = rules.packages[edge.to];
  if (from === undefined || to === undefined)
    return [{ where: edge.where, message: `${what}: ${from === undefined ? edge.from : edge.to} is not in the layer table` }];
  const problems: GraphProblem[] = [];
  if (edge.kind === 'runtime' && !from.uses.includes(edge.to)) {
    problems.push({ where: edge.where, message: `${what} at runtime, but the layer table does not let ${edge.from} use ${edge.to}` });
  }
  const downward = to.layer < from.layer;
  const excepted = rules.devExceptions.some((e) => e.from === edge.from && e.to === edge.to);
  if (edge.kind === 'dev' && !downward && to.devOnly !== true && !excepted) {
    problems.push({ where: edge.where, message: `${what} in tests or benches, but ${edge.to} is not on a lower layer and no exception lists it` });
  }
  const pkg = declared.get(edge.from);
  if (edge.specifier !== undefined && pkg !== undefined) {
    const listed = edge.kind === 'runtime' ? pkg.dependencies : [...pkg.dependencies, ...pkg.devDependencies];
    if (!listed.includes(edge.to)) {
      problems.push({
        where: edge.where,
        message: `${what}, but ${pkg.dir}/package.json does not list it in ${edge.kind === 'runtime' ? 'dependencies' : 'dependencies or devDependencies'}`,
      });
    }
  }
  return problems;
}

/** The names a module exports (following `export *` and re-exports). */
function exportedNames(file: string): Set<string> {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    noLib: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!);
  return new Set(symbol === undefined ? [] : checker.getExportsOfModule(symbol).map((s) => s.name));
}

/** The names a file imports or re-exports from each `@e2v/*` specifier: `[specifier, name]` pairs. */
function namedImports(text: string): [string, string][] {
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.ES2022, false);
  const pairs: [string, string][] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (specifier === undefined || !specifier.startsWith(SCOPE)) continue;
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : (statement as ts.ExportDeclaration).exportClause;
    if (bindings === undefined || !(ts.isNamedImports(bindings) || ts.isNamedExports(bindings))) continue;
    for (const element of bindings.elements) pairs.push([specifier, (element.propertyName ?? element.name).text]);
  }
  return pairs;
}

/** Imports of a name the home package exports, from another package (its re-export). */
function homeProblems(root: string, files: readonly string[], rules: LayerRules): GraphProblem[] {
  const names = exportedNames(join(root, rules.home.index));
  const dirs = workspacePackages(root, files).map((p) => `${p.dir}/`);
  return files
    .filter((file) => CODE_FILE.test(file) && dirs.some((dir) => file.startsWith(dir)))
    .flatMap((file) =>
      namedImports(readFileSync(join(root, file), 'utf8'))
        .filter(([specifier, name]) => workspacePackageOf(specifier) !== rules.home.name && names.has(name))
        .map(([specifier, name]) => ({ where: file, message: `imports ${name} from '${specifier}'; its home is ${rules.home.name}` })),
    );
}

/**
 * What breaks the rules: a table row using a package not below it; an edge to a package outside
 * the table; a runtime edge the table does not list; a dev edge that is neither downward, to a
 * dev-only package nor an exception; an import its package.json does not declare; and a name of
 * the home package imported through another package.
 * @param root the repository's top folder
 * @param files the repository's files, relative to `root`
 * @param rules the layer rule
 */
export function checkPackageGraph(root: string, files: readonly string[], rules: LayerRules): GraphProblem[] {
  const declared = new Map(workspacePackages(root, files).map((p) => [p.name, p] as const));
  return [...tableProblems(rules), ...packageEdges(root, files).flatMap((edge) => edgeProblems(edge, rules, declared)), ...homeProblems(root, files, rules)];
}

/**
 * The graph as text, one line per package: `@e2v/cli -> @e2v/engine, @e2v/server; dev: @e2v/benchkit`.
 * @param packages the packages (see {@link workspacePackages})
 * @param edges their edges (see {@link packageEdges})
 */
export function formatPackageGraph(packages: readonly WorkspacePackage[], edges: readonly PackageEdge[]): string {
  const names = packages.map((p) => p.name).sort();
  const targets = (from: string, kind: EdgeKind, except: ReadonlySet<string> = new Set()): string[] =>
    [...new Set(edges.filter((e) => e.from === from && e.kind === kind && !except.has(e.to)).map((e) => e.to))].sort();
  return names
    .map((name) => {
      const runtime = targets(name, 'runtime');
      const dev = targets(name, 'dev', new Set(runtime));
      return `${name} -> ${runtime.join(', ') || '(none)'}${dev.length > 0 ? `; dev: ${dev.join(', ')}` : ''}`;
    })
    .join('\n');
}
