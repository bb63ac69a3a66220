import type { CommandContext } from "../command.js";
import { formatCsv, formatTable, outputFormat, type Column } from "../output-format.js";
import { listOption } from "../option-values.js";
import { UsageError } from "../usage-error.js";
import { timeWindow, withStore } from "../report-options.js";
import { isLedgerError } from "../../errors.js";
import {
  billDimensions,
  parseRates,
  reconcileCosts,
  type BillDimension,
  type BillReconcileRow,
  type BillReconciliation,
} from "../../query/index.js";

// `reconcile --against bills`: the estimate beside the imported bills, as JSON (exact), CSV or a table.

function dimensionsOf(context: CommandContext): BillDimension[] {
  const given = listOption(context, "by");
  if (given === undefined) return [...billDimensions];
  for (const name of given) {
    if (!(billDimensions as readonly string[]).includes(name)) {
      throw new UsageError(`--by accepts ${billDimensions.join(", ")} with --against bills; got '${name}'`);
    }
  }
  return given as BillDimension[];
}

function ratesOf(context: CommandContext): Record<string, string> | undefined {
  const given = context.options.rate;
  const texts = Array.isArray(given) ? given : typeof given === "string" ? [given] : [];
  if (texts.length === 0) return undefined;
  try {
    return parseRates(texts.join(","));
  } catch (error) {
    if (isLedgerError(error, "E_QUERY_OPTIONS"))
      throw new UsageError(`--${error.message.replace(/^rates?: /, "rate: ")}`);
    throw error;
  }
}

/** The columns; `none` stands for an absent figure ("-" in a table, an empty cell in CSV). */
function columnsFor(by: readonly BillDimension[], none: string): Column<BillReconcileRow>[] {
  return [
    ...by.map((dimension) => ({
      header: dimension,
      value: (row: BillReconcileRow) => row[dimension] ?? none,
    })),
    { header: "events", value: (row) => String(row.events), align: "right" },
    { header: "estimated USD", value: (row) => row.estimatedUsd, align: "right" },
    { header: "SDK-reported USD", value: (row) => row.sdkReportedUsd ?? none, align: "right" },
    { header: "billed USD", value: (row) => row.billedUsd ?? none, align: "right" },
    { header: "difference USD", value: (row) => row.differenceUsd, align: "right" },
    { header: "difference %", value: (row) => row.differencePercent ?? none, align: "right" },
    { header: "marker", value: (row) => row.marker ?? "" },
  ];
}

function notes(report: BillReconciliation): string {
  const lines: string[] = [];
  if (report.missingBills.length > 0) {
    const names = report.missingBills.map(
      (entry) => `${entry.provider} (${entry.events} events, $${entry.estimatedUsd} estimated)`,
    );
    lines.push(
      `no bill imported for ${names.join(", ")}: not compared (a provider's own bill covers its own API only)`,
    );
  }
  for (const entry of report.unconverted) {
    lines.push(
      `${entry.amount} ${entry.currency} billed and left out: give --rate ${entry.currency}=DOLLARS to compare it`,
    );
  }
  return lines.map((line) => `* ${line}\n`).join("");
}

/** Runs the bills reconciliation for the command line and writes it in the asked format. */
export async function runBillsReconciliation(context: CommandContext): Promise<void> {
  const { from, to, label } = timeWindow(context, "30d");
  const by = dimensionsOf(context);
  const rates = ratesOf(context);
  const report = await withStore(context, (store) =>
    reconcileCosts(store, { against: "bills", from, to, by, rates }),
  );
  const format = outputFormat(context);
  const columns = columnsFor(by, format === "csv" ? "" : "-");
  if (format === "json") context.io.stdout.write(JSON.stringify(report) + "\n");
  else if (format === "csv") context.io.stdout.write(formatCsv(columns, report.rows));
  else {
    const total: BillReconcileRow = {
      ...Object.fromEntries(by.map((dimension, index) => [dimension, index === 0 ? "total" : "-"])),
      events: report.rows.reduce((sum, row) => sum + row.events, 0),
      estimatedUsd: report.totals.estimatedUsd,
      sdkReportedUsd: null,
      billedUsd: report.totals.billedUsd,
      differenceUsd: report.totals.differenceUsd,
      differencePercent: report.totals.differencePercent,
      marker: null,
    };
    context.io.stdout.write(`${label}\n${formatTable(columns, report.rows, [total])}${notes(report)}`);
  }
}
