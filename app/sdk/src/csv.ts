/**
 * CSV as RFC 4180 writes it (CRLF line ends, fields quoted when they hold a comma, a quote or a
 * line break), for the API's downloads and the CLI's `--csv`. A text cell that a spreadsheet
 * would run as a formula (`=`, `+`, `@`, or `-` before a non-digit) is prefixed with `'`.
 */
export type CsvCell = string | number | bigint | boolean | null | undefined;

function cellText(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  const text = String(cell);
  const safe = typeof cell === "string" && /^([=+@\t\r]|-[^\d.])/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(cellText).join(",")}\r\n`;
}

/** A header line and one line per row. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return csvLine(header) + rows.map(csvLine).join("");
}
