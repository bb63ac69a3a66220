import type { CommandContext } from "./command.js";
import { booleanOption } from "./option-values.js";
import { formatTable, outputFormat, type Column } from "./output-format.js";
import { formatMoney, groupThousands, moneyDecimals, periodLabel } from "./human-figures.js";
import { cliDimensionName } from "./report-options.js";
import { costReportCsv, type CostReport, type CostReportSource, type CostRow } from "../query/index.js";

/** What `source` means, for `--verbose`: the figures are the same either way. */
const sourceMeaning: Record<CostReportSource, string> = {
  rollup: "summed from the rollups (pre-aggregated hours and days)",
  raw: "summed from the raw events",
  mixed: "closed days from the rollups, the rest from the hourly rollups and the pending deltas",
};

/**
 * The columns of a cost report table: its keys, its period, then the figures — money with a dollar
 * sign and one number of decimals per column, counts with thousands separators, an unpriced count
 * that marks figures missing a price.
 */
export function reportColumns(
  keys: readonly string[],
  grain: string | undefined,
  rows: readonly CostRow[],
): Column<CostRow>[] {
  const text = (value: string | number | null | undefined) =>
    value === null || value === undefined ? "-" : String(value);
  const decimals = moneyDecimals(rows.map((row) => row.costUsd));
  const count = (value: string | number) => groupThousands(value);
  return [
    ...keys.map((key) => ({ header: cliDimensionName(key), value: (row: CostRow) => text(row[key]) })),
    ...(grain
      ? [
          {
            header: "period",
            value: (row: CostRow) => (row.period ? periodLabel(row.period, grain) : text(null)),
          },
        ]
      : []),
    { header: "cost", value: (row) => formatMoney(row.costUsd, decimals), align: "right" },
    { header: "events", value: (row) => count(row.events), align: "right" },
    { header: "input", value: (row) => count(row.inputTokens), align: "right" },
    { header: "output", value: (row) => count(row.outputTokens), align: "right" },
    { header: "cache read", value: (row) => count(row.cacheReadTokens), align: "right" },
    { header: "cache write", value: (row) => count(row.cacheWriteTokens), align: "right" },
    { header: "errors", value: (row) => count(row.errors), align: "right" },
    { header: "fallbacks", value: (row) => count(row.fallbacks), align: "right" },
    { header: "unpriced", value: (row) => count(row.unpriced), align: "right" },
  ];
}

/**
 * Prints a cost report as a table with a totals row, as JSON (exactly the query's object) or as CSV
 * (the same CSV as `GET /v1/costs` serves). Without keys or a grain the one row is the total, so no
 * totals row repeats it. `window` says which time the figures cover; `--verbose` adds the source.
 */
export function printCostReport(
  context: CommandContext,
  report: CostReport,
  keys: readonly string[],
  grain: string | undefined,
  window: string,
): void {
  const format = outputFormat(context);
  if (format === "json") {
    context.io.stdout.write(JSON.stringify(report) + "\n");
    return;
  }
  if (format === "csv") {
    context.io.stdout.write(costReportCsv(report, keys, grain !== undefined));
    return;
  }
  const grouped = keys.length > 0 || grain !== undefined;
  const totals = { ...report.totals } as CostRow;
  for (const key of keys) totals[key] = null;
  const first = keys[0] ?? (grain ? "period" : undefined);
  if (first) totals[first] = "total";
  const rows: CostRow[] = grouped ? report.rows : [{ ...report.totals }];
  const columns = reportColumns(keys, grain, [...rows, totals]);
  context.io.stdout.write(formatTable(columns, rows, grouped ? [totals] : []));
  const count = grouped ? `${groupThousands(report.rows.length)} row(s); ` : "";
  context.io.stdout.write(`${count}${window}\n`);
  if (booleanOption(context, "verbose"))
    context.io.stdout.write(`source: ${report.source}: ${sourceMeaning[report.source]}\n`);
}
