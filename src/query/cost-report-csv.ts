import type { CostRow } from "./cost-figures.js";
import { metricNames } from "./cost-query-options.js";
import { formatCsvTable, type CsvColumn } from "./csv-cell.js";
import type { CostReport } from "./query-costs.js";

/**
 * A cost report as CSV, the same from `GET /v1/costs` (`Accept: text/csv`) and `llm-ledger report
 * --format csv`: the grouped dimensions (text, neutralised against formulas), `period` when a grain was
 * asked, then every figure (numbers, as exact as in JSON). Absent values are empty cells.
 */
export function costReportCsv(report: CostReport, groupBy: readonly string[], withPeriod: boolean): string {
  const cell = (name: string) => (row: CostRow) => {
    const value = row[name];
    return value === null || value === undefined ? "" : String(value);
  };
  const columns: CsvColumn<CostRow>[] = [
    ...groupBy.map((name) => ({ header: name, value: cell(name) })),
    ...(withPeriod ? [{ header: "period", value: cell("period") }] : []),
    ...metricNames.map((name) => ({ header: name, value: cell(name), kind: "number" as const })),
  ];
  return formatCsvTable(columns, report.rows);
}
