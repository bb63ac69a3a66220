import type { CommandDefinition } from "../command.js";
import { UsageError } from "../usage-error.js";
import { databaseOptions } from "../database-option.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { reconcileCosts, type ReconcileRow } from "../../query/index.js";
import { schemaOption, timeWindow, windowOptions, withStore } from "../report-options.js";
import { runBillsReconciliation } from "./reconcile-bills-output.js";

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

/** `llm-ledger reconcile`: our estimate beside provider-reported cost, per model, or beside the bills. */
export const reconcileCommand: CommandDefinition = {
  name: "reconcile",
  summary: "our estimate beside the SDK-reported cost (default) or the providers' bills",
  description: [
    "--against sdk (the default): over the events that carry a provider- or SDK-reported cost, the sum of",
    "our catalog estimate beside the reported sum (difference = provider − estimate), per model.",
    "--against bills: our estimate beside the bills imported with 'bills import', per UTC day, provider",
    "and model (--by to choose), difference = billed − estimate, with a marker where the bill has no events",
    "or the events no bill; providers without a bill are listed, not compared. Bills in other currencies",
    "count only with --rate CUR=DOLLARS. Default window: the last 30 days.",
  ].join("\n"),
  options: {
    against: {
      type: "string",
      valueName: "WHAT",
      choices: ["sdk", "bills"],
      description: "sdk (default) or bills",
    },
    by: {
      type: "string",
      valueName: "DIMS",
      description: "with --against bills: day,provider,model (default all three)",
    },
    rate: {
      type: "string",
      valueName: "CUR=USD",
      multiple: true,
      description:
        "with --against bills: dollars per unit of a bill's currency, e.g. --rate EUR=1.08 (repeatable)",
    },
    ...databaseOptions,
    ...schemaOption,
    ...windowOptions,
    ...formatOptions,
  },
  async run(context) {
    if (context.options.against === "bills") return runBillsReconciliation(context);
    if (context.options.by !== undefined || context.options.rate !== undefined) {
      throw new UsageError("--by and --rate apply with --against bills");
    }
    const { from, to } = timeWindow(context, "30d");
    const rows = await withStore(context, (store) => reconcileCosts(store, { from, to }));
    const format = outputFormat(context);
    if (format === "json") context.io.stdout.write(JSON.stringify({ rows }) + "\n");
    else if (format === "csv") context.io.stdout.write(formatCsv(columns, rows));
    else context.io.stdout.write(formatTable(columns, rows));
  },
};
