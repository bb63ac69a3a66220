// CSV is what people open in a spreadsheet, so a cell must never run as a formula there (CSV
// injection: a repo named `=HYPERLINK(…)` or `@SUM(…)`). JSONL stays the lossless export.

/**
 * Text a spreadsheet would read as a formula (or the start of one): OWASP's first characters, line
 * feed, and the full-width forms some spreadsheets also accept. A run of `'` before them counts too,
 * so one `'` more is always the added one and the prefix can be removed without guessing.
 */
const formulaStart = /^'*[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A plain decimal number, possibly negative or a percentage: never a formula, so left as it is. */
const plainNumber = /^-?\d+(\.\d+)?([eE][+-]?\d+)?%?$/;

/** Whether a cell holds text (neutralised) or a figure (kept as it is when it is a plain number). */
export type CsvCellKind = "text" | "number";

/**
 * One CSV cell: RFC 4180 quoting, and text that a spreadsheet would run as a formula prefixed with
 * `'` (shown as text, not evaluated; `removeCsvPrefix` takes it off again). A `number` cell keeps a leading minus when the whole cell is a
 * plain number; anything else in a number column is treated as text, so no column is a way in.
 *
 * @example
 * csvCell("=1+1", "text") // "'=1+1"
 * csvCell("-0.25", "number") // "-0.25"
 * csvCell('say "hi", then', "text") // "\"say \"\"hi\"\", then\""
 */
export function csvCell(value: string, kind: CsvCellKind = "text"): string {
  const safe =
    formulaStart.test(value) && !(kind === "number" && plainNumber.test(value)) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The text of a cell `csvCell` neutralised, without the `'` it added (for anything reading CSV back). */
export function removeCsvPrefix(cell: string): string {
  return cell.startsWith("'") && formulaStart.test(cell) ? cell.slice(1) : cell;
}

/** A column of a CSV table: its header, its cell text (empty for none) and its kind. */
export interface CsvColumn<Row> {
  header: string;
  value(row: Row): string;
  kind?: CsvCellKind | undefined;
}

/** A CSV table with a header line; each line ends with `\n`. */
export function formatCsvTable<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): string {
  const lines = [
    columns.map((column) => csvCell(column.header)).join(","),
    ...rows.map((row) => columns.map((column) => csvCell(column.value(row), column.kind)).join(",")),
  ];
  return lines.join("\n") + "\n";
}
