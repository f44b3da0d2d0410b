/**
 * Markdown tables for benchmark output: every bench prints its figures this way, so they paste
 * into a closing note or an issue as they are.
 * @module
 */

/** A table cell: strings as they are, numbers with `String()`. */
export type Cell = string | number;

/**
 * Formats a markdown table with padded columns.
 * @example
 * console.log(markdownTable(['input', 'RTF'], [['20 s', '0.150']]));
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => `| ${widths.map((w, i) => (r[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(cells[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}
