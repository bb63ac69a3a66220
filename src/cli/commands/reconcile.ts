import type { CommandDefinition } from "../command.js";
import { databaseOptions } from "../database-option.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { reconcileCosts, type ReconcileRow } from "../../query/index.js";
import { schemaOption, timeWindow, windowOptions, withStore } from "../report-options.js";

/** The difference as a share of our estimate, for display only (the amounts stay exact). */
function percent(row: ReconcileRow): string {
  const estimate = Number(row.estimatedCostUsd);
  return estimate > 0 ? `${((Number(row.differenceUsd) / estimate) * 100).toFixed(1)}%` : "-";
}

const columns: Column<ReconcileRow>[] = [
  { header: "model", value: (row) => row.model },
  { header: "events", value: (row) => String(row.events), align: "right" },
  { header: "reported", value: (row) => String(row.reportedEvents), align: "right" },
  { header: "our estimate USD", value: (row) => row.estimatedCostUsd, align: "right" },
  { header: "provider USD", value: (row) => row.providerCostUsd, align: "right" },
  { header: "difference USD", value: (row) => row.differenceUsd, align: "right" },
  { header: "difference", value: percent, align: "right" },
];

/** `llm-ledger reconcile`: our estimate beside provider-reported cost, per model. */
export const reconcileCommand: CommandDefinition = {
  name: "reconcile",
  summary: "our estimate beside the provider-reported cost, per model",
  description: [
    "Compares, over the events that carry a provider- or SDK-reported cost, the sum of our catalog",
    "estimate with the reported sum (difference = provider − estimate). Default window: the last 30 days.",
  ].join("\n"),
  options: { ...databaseOptions, ...schemaOption, ...windowOptions, ...formatOptions },
  async run(context) {
    const { from, to } = timeWindow(context, "30d");
    const rows = await withStore(context, (store) => reconcileCosts(store, { from, to }));
    const format = outputFormat(context);
    if (format === "json") context.io.stdout.write(JSON.stringify({ rows }) + "\n");
    else if (format === "csv") context.io.stdout.write(formatCsv(columns, rows));
    else context.io.stdout.write(formatTable(columns, rows));
  },
};
