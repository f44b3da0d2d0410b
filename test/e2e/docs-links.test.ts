/**
 * The documentation a user reads without the source: every relative link and `#anchor` in the
 * repository's markdown files (README.md, docs/, the packages' README files, ...) resolves inside
 * the repository, and the README leads to the docs index and the design page. External links are
 * allowed and never fetched. Also the link checker itself, on small made-up repositories.
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMarkdownLinks } from '../support/link-check.js';
import { headingSlug, markdownAnchors, markdownLinks } from '../support/markdown-links.js';
import { repositoryFiles } from '../support/repository-files.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

describe('the repository documentation', () => {
  const files = repositoryFiles(ROOT);

  it('should resolve every relative link and #anchor of every markdown file inside the repository', () => {
    expect(files).toContain('README.md');
    expect(checkMarkdownLinks(ROOT, files)).toEqual([]);
  });

  it('should link the docs index and the design page from the README', () => {
    const targets = markdownLinks(readText('README.md')).map((link) => link.target);
    expect(targets).toContain('docs/README.md');
    expect(targets.some((target) => target.startsWith('docs/design.md'))).toBe(true);
  });

  it('should link every page of docs/ from the docs index', () => {
    const pages = files.filter((file) => /^docs\/[^/]+\.md$/.test(file) && file !== 'docs/README.md').map((file) => file.slice('docs/'.length));
    const targets = new Set(markdownLinks(readText('docs/README.md')).map((link) => link.target.split('#')[0]));
    expect(pages.filter((page) => !targets.has(page))).toEqual([]);
  });
});

describe('checkMarkdownLinks', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  /** A made-up repository outside any git checkout (so its files come from the folder walk). */
  function repository(files: Record<string, string>): { root: string; files: string[] } {
    root = mkdtempSync(join(tmpdir(), 'e2v-links-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return { root, files: repositoryFiles(root) };
  }

  it('should accept links to files, folders, headings and anchors, and external links', () => {
    const repo = repository({
      'README.md': '[a](docs/a.md#second-part) [b](docs/) ![img](docs/pic.png) [web](https://example.org/x#y) [m](mailto:a@b.c) [top](#title)\n# Title\n',
      'docs/a.md': '# A\n## Second part\n<a id="custom"></a>\n[back](../README.md) [c](#custom) [d](a.md#a)\n',
      'docs/pic.png': 'png',
    });
    expect(checkMarkdownLinks(repo.root, repo.files)).toEqual([]);
  });

  it('should report missing files, missing anchors, paths outside the repository, absolute paths and other schemes', () => {
    const repo = repository({
      'README.md': [
        '[1](docs/missing.md)',
        '[2](docs/a.md#nowhere)',
        '[3](../outside.md)',
        '[4](/etc/passwd)',
        '[5](file:///etc/passwd)',
        '[6](#no-such-heading)',
      ].join('\n'),
      'docs/a.md': '# A\n',
    });
    const problems = checkMarkdownLinks(repo.root, repo.files);
    expect(problems.map((p) => [p.line, p.target])).toEqual([
      [1, 'docs/missing.md'],
      [2, 'docs/a.md#nowhere'],
      [3, '../outside.md'],
      [4, '/etc/passwd'],
      [5, 'file:///etc/passwd'],
      [6, '#no-such-heading'],
    ]);
    expect(problems[2]!.problem).toBe('outside the repository');
  });

  it('should ignore links inside code blocks and code spans', () => {
    const repo = repository({ 'README.md': '```md\n[x](missing.md)\n```\n`[y](missing.md)`\n~~~\n[z](missing.md)\n~~~\n' });
    expect(checkMarkdownLinks(repo.root, repo.files)).toEqual([]);
  });
});

describe('markdown anchors', () => {
  it('should slug headings as GitHub does', () => {
    expect(headingSlug('errors.jsonl')).toBe('errorsjsonl');
    expect(headingSlug('`serve`: the server')).toBe('serve-the-server');
    expect(headingSlug('Embeddings: similarity, cluster, classifier')).toBe('embeddings-similarity-cluster-classifier');
    expect(headingSlug('Analyze: `POST /api/v1/analyze`')).toBe('analyze-post-apiv1analyze');
    expect(headingSlug('[Linked](x.md) *text* 中文 😠 a_b')).toBe('linked-text-中文--a_b');
  });

  it('should number repeated headings and skip headings in code blocks', () => {
    expect([...markdownAnchors('# Usage\n## Usage\n```\n# Usage\n```\n### Usage ##\n')]).toEqual(['usage', 'usage-1', 'usage-2']);
  });

  it('should read reference definitions and HTML links', () => {
    expect(markdownLinks('[x][ref]\n\n[ref]: <docs/a b.md> "title"\n<img src="pic.png"> <a href="b.md#c">b</a>').map((l) => l.target)).toEqual([
      'docs/a b.md',
      'pic.png',
      'b.md#c',
    ]);
  });
});
