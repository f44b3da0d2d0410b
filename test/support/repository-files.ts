/**
 * The files that make up the repository: what git tracks or would track (`git ls-files`
 * without ignored files), or, outside a git checkout (an unpacked source archive), every file
 * except `node_modules` and hidden folders.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

function gitFiles(root: string): string[] | undefined {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // --cached also lists tracked files deleted from the working tree
    return out.split('\0').filter((path) => path !== '' && existsSync(join(root, path)));
  } catch {
    return undefined;
  }
}

function walkFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walkFiles(root, path);
    return entry.isFile() ? [relative(root, path).split(sep).join('/')] : [];
  });
}

/**
 * Paths of the repository's files, relative to `root`, with `/` separators.
 * @param root the repository's top folder
 */
export function repositoryFiles(root: string): string[] {
  return (gitFiles(root) ?? walkFiles(root)).sort();
}
