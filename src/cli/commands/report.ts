import type { CommandDefinition } from "../command.js";
import { databaseOptions, readDatabaseOptions } from "../database-option.js";
import { integerOption, listOption, stringOption } from "../option-values.js";
import { formatOptions } from "../output-format.js";
import {
  cliDimensionList,
  filterOption,
  flagError,
  parseDimension,
  parseFilters,
  schemaOption,
  timeWindow,
  windowOptions,
  withStore,
} from "../report-options.js";
import { printCostReport } from "../cost-report-table.js";
import { grains, queryCosts, type Grain } from "../../query/index.js";

/** `llm-ledger report`: spend by any dimensions and a time grain. */
export const reportCommand: CommandDefinition = {
  name: "report",
  summary: "spend by repo, task type, model, … and time (exact sums)",
  description: [
    "Groups the events of a time window (default: the last 30 days) by the dimensions of --by and the",
    "time grain of --grain, in the time zone of --time-zone. Dimensions: " + cliDimensionList + ".",
    "The table shows dollars rounded per column and counts with separators; --format json prints exactly",
    "queryCosts' { rows, totals, source } and csv the rows, both with exact decimals.",
    "Example: llm-ledger report --since 7d --by model,repo --grain day",
  ].join("\n"),
  options: {
    ...databaseOptions,
    ...readDatabaseOptions,
    ...schemaOption,
    ...windowOptions,
    by: { type: "string", valueName: "DIMS", description: "comma-separated dimensions to group by" },
    grain: {
      type: "string",
      valueName: "GRAIN",
      choices: grains,
      description: "hour, day, week (from Monday) or month",
    },
    "time-zone": {
      type: "string",
      valueName: "ZONE",
      description: "IANA time zone of the periods (default UTC)",
    },
    ...filterOption,
    limit: { type: "string", valueName: "N", description: "at most N rows (totals still cover all)" },
    ...formatOptions,
    verbose: {
      type: "boolean",
      description: "also say where the figures were read from (rollups or raw events)",
    },
  },
  async run(context) {
    const { from, to, label } = timeWindow(context, "30d");
    const groupBy = (listOption(context, "by") ?? []).map((name) => parseDimension(name, "by"));
    const grain = stringOption(context, "grain") as Grain | undefined;
    const limit = integerOption(context, "limit", { min: 1, max: 1_000_000 });
    const filters = parseFilters(context);
    const report = await withStore(context, (store) =>
      queryCosts(store, {
        from,
        to,
        groupBy,
        grain,
        timeZone: stringOption(context, "time-zone"),
        filters,
        limit,
      }).catch((error: unknown) => {
        throw flagError(error, { E_QUERY_TIME_ZONE: "time-zone", E_QUERY_DIMENSION: "by" });
      }),
    );
    printCostReport(context, report, groupBy, grain, label);
  },
};
