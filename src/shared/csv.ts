// The product's one CSV writer, used by every CSV Run Rewind writes (the chart export, and — once the
// core's `historyCsv` calls it — the command line's history export), with one guard against spreadsheet
// formulas. Imports nothing, so the extension host, the core and the webview can all use it.

/** A cell value as the store answers it: numbers (NaN and infinities spelled out), text, booleans, or nothing. */
export type CsvValue = string | number | boolean | null | undefined;

/** A plain number literal, which a spreadsheet reads as a number and never as a formula. */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Text a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`, or a leading tab or carriage
 * return) gets a leading apostrophe, so it stays text; a number literal and `-Infinity` are left as
 * they are. Then the field is quoted when CSV needs it.
 */
export function csvField(value: CsvValue): string {
  const text = csvText(value);
  const safe = /^[=+\-@\t\r]/.test(text) && !NUMBER.test(text) && text !== '-Infinity' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** What a value is written as: numbers in full precision (NaN, Infinity, -Infinity by name), nothing as ''. */
export function csvText(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
  return String(value);
}

/** A whole CSV document: a header line, then one line per row, each line ended by a newline. */
export function writeCsv(header: readonly CsvValue[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
