/**
 * Checks the links of a repository's markdown files without any network: a relative link must
 * name a file or folder of the repository (never outside it), and its `#anchor`, in a markdown
 * file, a heading or anchor there. `http(s):` and `mailto:` links are allowed and not fetched;
 * other schemes and absolute paths are reported.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { markdownAnchors, markdownLinks } from './markdown-links.js';

/** A link that does not resolve. */
export interface LinkProblem {
  /** The markdown file, relative to the root. */
  file: string;
  line: number;
  target: string;
  problem: string;
}

const EXTERNAL = /^(?:https?|mailto):/i;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Every link problem of the markdown files among `files`.
 * @param root the repository's top folder
 * @param files the repository's files, relative to `root` with `/` separators (see repository-files.ts)
 */
export function checkMarkdownLinks(root: string, files: readonly string[]): LinkProblem[] {
  const present = new Set(files);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (file: string): Set<string> => {
    let anchors = anchorCache.get(file);
    if (anchors === undefined) {
      anchors = markdownAnchors(readFileSync(join(root, file), 'utf8'));
      anchorCache.set(file, anchors);
    }
    return anchors;
  };
  const isFolder = (path: string): boolean => path === '.' || files.some((file) => file.startsWith(`${path}/`));

  /** What is wrong with `target` written in `file`, or undefined. */
  const problemOf = (file: string, target: string): string | undefined => {
    if (EXTERNAL.test(target)) return undefined;
    if (SCHEME.test(target) || target.startsWith('//')) return 'only http(s) and mailto links may leave the repository';
    const [pathPart = '', fragment] = target.split('#', 2) as [string, string | undefined];
    const path = decode(pathPart.split('?', 1)[0]!);
    if (path.startsWith('/')) return 'an absolute path: use a path relative to this file';
    const resolved = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path)).replace(/\/$/, '');
    if (resolved === '..' || resolved.startsWith('../')) return 'outside the repository';
    if (!present.has(resolved)) return isFolder(resolved) ? undefined : `no file or folder ${resolved} in the repository`;
    if (fragment === undefined || !resolved.endsWith('.md')) return undefined;
    return anchorsOf(resolved).has(decode(fragment)) ? undefined : `no heading or anchor #${fragment} in ${resolved}`;
  };

  return files
    .filter((file) => file.endsWith('.md'))
    .flatMap((file) =>
      markdownLinks(readFileSync(join(root, file), 'utf8')).flatMap(({ target, line }) => {
        const problem = problemOf(file, target);
        return problem === undefined ? [] : [{ file, line, target, problem }];
      }),
    );
}
