import type { CommandContext, OptionDefinition } from "./command.js";
import { formatCsvTable } from "../query/index.js";

export type OutputFormat = "table" | "json" | "csv";

/** The `--format table|json|csv` and `--json` flags of every command that prints data. */
export const formatOptions = {
  format: {
    type: "string",
    valueName: "FORMAT",
    choices: ["table", "json", "csv"],
    description: "output format: table (default), json or csv",
  },
  json: { type: "boolean", description: "same as --format json" },
} as const satisfies Record<string, OptionDefinition>;

export function outputFormat(context: CommandContext): OutputFormat {
  if (context.options.json === true) return "json";
  const format = context.options.format;
  return format === "json" || format === "csv" ? format : "table";
}

export interface Column<Row> {
  header: string;
  value(row: Row): string;
  /** Right-align: a number column (in CSV too, where only text is neutralised against formulas). */
  align?: "left" | "right";
}

/** An aligned text table; `footer` rows (totals) are set off by a rule. */
export function formatTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  footer: readonly Row[] = [],
): string {
  const cells = (row: Row) => columns.map((column) => column.value(row));
  const body = rows.map(cells);
  const foot = footer.map(cells);
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...[...body, ...foot].map((line) => line[index]!.length)),
  );
  const render = (line: readonly string[]) =>
    line
      .map((cell, index) =>
        columns[index]!.align === "right" ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  const lines = [render(columns.map((column) => column.header)), rule, ...body.map(render)];
  if (foot.length > 0) lines.push(rule, ...foot.map(render));
  return lines.join("\n") + "\n";
}

/**
 * RFC 4180 CSV with a header line, safe to open in a spreadsheet: text cells that would start a
 * formula get a leading `'` (`csvCell`); right-aligned columns are numbers and keep their sign.
 */
export function formatCsv<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  return formatCsvTable(
    columns.map((column) => ({
      header: column.header,
      value: (row: Row) => column.value(row),
      kind: column.align === "right" ? ("number" as const) : ("text" as const),
    })),
    rows,
  );
}
