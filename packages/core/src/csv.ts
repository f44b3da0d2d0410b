/**
 * The bit of CSV (RFC 4180) e2v needs: quoting fields for the sink plugin and the CLI's
 * results, splitting lines for classifier training files.
 * @module
 */

/**
 * One CSV field: quoted (with doubled quotes) when it holds a comma, quote, CR or LF.
 * @param value the field (numbers are written with `String`)
 * @returns the field as it goes in the line
 */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One CSV line (without the line break).
 * @param values the fields
 * @returns them quoted as needed and joined with commas
 */
export function csvLine(values: readonly (string | number)[]): string {
  return values.map(csvField).join(',');
}

/**
 * Splits CSV text into rows of fields; quoted fields may hold commas, quotes and line breaks.
 * Blank lines are skipped.
 * @param text the whole file
 * @returns the rows
 * @throws SyntaxError for an unterminated quoted field
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  const endRow = (): void => {
    if (fieldStarted || row.length > 0) rows.push([...row, field]);
    row = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (ch === '"') {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new SyntaxError('Unterminated quoted CSV field');
  endRow();
  return rows;
}
