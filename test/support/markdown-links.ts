/**
 * What a markdown file links to and which `#anchors` it offers, as GitHub renders it: inline
 * links and images, reference definitions and HTML `href` / `src` attributes outside code;
 * anchors from headings (GitHub's slugs, `-1`, `-2` for repeats) and from `id` / `name`
 * attributes.
 * @module
 */

/** One link of a markdown file. */
export interface MarkdownLink {
  /** The destination as written (without `<>` and title). */
  target: string;
  /** 1-based line number. */
  line: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const CODE_SPAN = /(`+)(?:(?!\1)[\s\S])*?\1/g;
const INLINE_LINK = /!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;
const HTML_ATTRIBUTE = /<[a-z][^>]*?\s(?:href|src)\s*=\s*"([^"]*)"/gi;
const HTML_ANCHOR = /<[a-z][^>]*?\s(?:id|name)\s*=\s*"([^"]*)"/gi;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;

/** A line outside fenced code blocks. */
interface ProseLine {
  /** The line as written. */
  raw: string;
  /** The line with its code spans blanked out. */
  text: string;
  /** 1-based line number. */
  line: number;
}

/** The lines of `text` outside fenced code blocks. */
function proseLines(text: string): ProseLine[] {
  const lines: ProseLine[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const marker = FENCE.exec(raw)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    if (marker !== undefined) {
      fence = marker;
      return;
    }
    lines.push({ raw, text: raw.replace(CODE_SPAN, (span) => ' '.repeat(span.length)), line: index + 1 });
  });
  return lines;
}

function unwrap(target: string): string {
  return target.startsWith('<') && target.endsWith('>') ? target.slice(1, -1) : target;
}

/** Every link of a markdown text, in order. */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { text: prose, line } of proseLines(text)) {
    const definition = REFERENCE_DEFINITION.exec(prose);
    if (definition !== null) links.push({ target: unwrap(definition[1]!), line });
    for (const match of prose.matchAll(INLINE_LINK)) links.push({ target: unwrap(match[1]!), line });
    for (const match of prose.matchAll(HTML_ATTRIBUTE)) links.push({ target: match[1]!, line });
  }
  return links;
}

/**
 * GitHub's anchor of a heading: its text without markdown markup, lower-cased, without
 * punctuation and symbols (letters, digits, marks, `_`, `-` and spaces stay), spaces as `-`.
 */
export function headingSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .replace(/[`*]/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The `#anchors` a markdown text offers. */
export function markdownAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { raw, text: prose } of proseLines(text)) {
    for (const match of prose.matchAll(HTML_ANCHOR)) anchors.add(match[1]!);
    const heading = HEADING.exec(raw)?.[1];
    if (heading === undefined) continue;
    const slug = headingSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}
