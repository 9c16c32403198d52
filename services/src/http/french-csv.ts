/**
 * CSV that a French spreadsheet opens as columns at a double click: UTF-8 with a byte order mark (or accents come out
 * garbled), `;` between cells (`,` is the decimal separator in French), CRLF line ends, French headers, and times in
 * local (Europe/Paris) time as dd/mm/yyyy HH:MM.
 */
export interface CsvColumn<R> {
  header: string;
  value: (row: R) => unknown;
}

const PARIS = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
/** An instant as Paris local time: "01/12/2026 10:05". */
export const parisDateTime = (d: Date | string) => PARIS.format(new Date(d)).replace(',', '');

/** A spreadsheet must not run a cell as a formula: values starting with = + - @ are prefixed with a quote. */
export function frenchCsvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : v instanceof Date ? parisDateTime(v) : typeof v === 'number' ? String(v).replace('.', ',') : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[";\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function frenchCsv<R>(columns: CsvColumn<R>[], rows: R[]): string {
  const lines = [columns.map((c) => frenchCsvCell(c.header)).join(';'), ...rows.map((r) => columns.map((c) => frenchCsvCell(c.value(r))).join(';'))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
