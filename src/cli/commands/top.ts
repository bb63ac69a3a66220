import type { CommandDefinition } from "../command.js";
import { databaseOptions, readDatabaseOptions } from "../database-option.js";
import { integerOption, stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { cliInvocation } from "../cli-invocation.js";
import { formatMoney, groupThousands, moneyDecimals } from "../human-figures.js";
import { queryCosts, type CostRow } from "../../query/index.js";
import {
  cliDimensionName,
  filterOption,
  flagError,
  parseDimension,
  parseFilters,
  schemaOption,
  timeWindow,
  windowOptions,
  withStore,
} from "../report-options.js";

/** A percentage of `part` in `whole` for display (one decimal); the figures themselves stay exact. */
function share(part: string, whole: string): string {
  const total = Number(whole);
  return total > 0 ? `${((Number(part) / total) * 100).toFixed(1)}%` : "-";
}

/** `llm-ledger top`: the biggest spenders of one dimension. */
export const topCommand: CommandDefinition = {
  name: "top",
  summary: "the top repos, task types or models by spend",
  description: [
    "Covers the last 7 days unless --since or --from/--to say otherwise; the output names its window.",
    "Models without a price count their events as unpriced: their cost is then a lower bound, marked '*'.",
    "Example: llm-ledger top --by task --since 7d --limit 10",
  ].join("\n"),
  options: {
    ...databaseOptions,
    ...readDatabaseOptions,
    ...schemaOption,
    by: {
      type: "string",
      valueName: "DIM",
      description: "repo, task (task-type), model or any report dimension (default model)",
    },
    ...windowOptions,
    ...filterOption,
    limit: { type: "string", valueName: "N", description: "how many (default 10)" },
    ...formatOptions,
  },
  async run(context) {
    const dimension = parseDimension(stringOption(context, "by") ?? "model", "by");
    const { from, to, label } = timeWindow(context, "7d");
    const limit = integerOption(context, "limit", { min: 1, max: 10_000 }) ?? 10;
    const filters = parseFilters(context);
    const report = await withStore(context, (store) =>
      queryCosts(store, { from, to, groupBy: [dimension], filters, orderBy: "costUsd:desc", limit }).catch(
        (error: unknown) => {
          throw flagError(error, { E_QUERY_DIMENSION: "by" });
        },
      ),
    );
    const format = outputFormat(context);
    if (format === "json") {
      context.io.stdout.write(JSON.stringify(report) + "\n");
      return;
    }
    // An absent value is "-" in the table and an empty cell in CSV, as in `report`.
    const none = format === "csv" ? "" : "-";
    const table = format === "table";
    const decimals = moneyDecimals([...report.rows.map((row) => row.costUsd), report.totals.costUsd]);
    // In the table, a cost that leaves out unpriced events is marked, as `report`'s unpriced column does.
    const cost = (row: CostRow) =>
      table ? `${formatMoney(row.costUsd, decimals)}${row.unpriced > 0 ? "*" : " "}` : row.costUsd;
    const count = (value: number) => (table ? groupThousands(value) : String(value));
    const columns: Column<CostRow & { rank?: string }>[] = [
      { header: "#", value: (row) => row.rank ?? "", align: "right" },
      {
        header: cliDimensionName(dimension),
        value: (row) => (row[dimension] === null ? none : String(row[dimension])),
      },
      { header: table ? "cost " : "cost USD", value: cost, align: "right" },
      { header: "share", value: (row) => share(row.costUsd, report.totals.costUsd), align: "right" },
      { header: "events", value: (row) => count(row.events), align: "right" },
      { header: "errors", value: (row) => count(row.errors), align: "right" },
      { header: "unpriced", value: (row) => count(row.unpriced), align: "right" },
    ];
    const rows = report.rows.map((row, index) => ({ ...row, rank: String(index + 1) }));
    if (format === "csv") {
      context.io.stdout.write(formatCsv(columns, rows));
      return;
    }
    const totals = { ...report.totals, [dimension]: "all", rank: "" } as CostRow & { rank: string };
    context.io.stdout.write(formatTable(columns, rows, [totals]));
    const unpriced = report.totals.unpriced;
    if (unpriced > 0)
      context.io.stdout.write(
        `* leaves out ${groupThousands(unpriced)} unpriced event(s) (no price in the catalog): see '${cliInvocation(context.io.env)} reprice --only-unpriced'\n`,
      );
    context.io.stdout.write(`${label}\n`);
  },
};
