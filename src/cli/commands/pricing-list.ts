import type { CommandContext, CommandDefinition } from "../command.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { pricingFor, providerArgument, providerOption } from "./pricing-options.js";
import { PRICE_BUCKETS, type ListedModel, type PricePeriod } from "../../pricing/index.js";

// `pricing list`: each model at the price in force today, as `estimate` charges it without a date.
// A period announced for later is never shown as today's price; it is named apart ("from DATE"). A
// model the provider retired has no price in force from its end date (`estimate` leaves it unpriced).

/** A listed model with the period in force on `today` and the periods that start after it. */
export interface ListedPrices extends ListedModel {
  current: PricePeriod | undefined;
  upcoming: PricePeriod[];
}

/**
 * Splits an entry's periods at `today` (YYYY-MM-DD): the one in force, and those announced for later.
 * None is in force on or after the day the provider retired the model.
 */
export function pricesOn(model: ListedModel, today: string): ListedPrices {
  let current: PricePeriod | undefined;
  const upcoming: PricePeriod[] = [];
  for (const period of model.entry.prices) {
    if (period.from === undefined || period.from <= today) current = period;
    else upcoming.push(period);
  }
  const retired = model.entry.retired;
  if (retired !== undefined && retired <= today) current = undefined;
  return { ...model, current, upcoming };
}

const listColumns: Column<ListedPrices>[] = [
  { header: "provider", value: (row) => row.provider },
  { header: "model", value: (row) => row.entry.id + (row.override ? " (override)" : "") },
  ...PRICE_BUCKETS.map((bucket): Column<ListedPrices> => ({
    header: bucket.replaceAll("_", " "),
    // "-": no price in force (unpriced, or only announced for later); "": no price of its own.
    value: (row) => (row.current ? (row.current[bucket] ?? "") : "-"),
    align: "right",
  })),
  { header: "tiers", value: (row) => (row.current?.tiers ?? []).map((tier) => `>${tier.above}`).join(" ") },
  {
    header: "changes",
    value: (row) => row.upcoming.map((period) => `from ${period.from}: input ${period.input}`).join("; "),
  },
  // The provider's end date: from that day a call to the id is flagged, not priced.
  { header: "retired", value: (row) => row.entry.retired ?? "" },
];

function runList(context: CommandContext): void {
  const today = new Date().toISOString().slice(0, 10);
  const models = pricingFor(context)
    .listModels(providerArgument(context))
    .map((model) => pricesOn(model, today));
  const format = outputFormat(context);
  if (format === "json") {
    context.io.stdout.write(
      JSON.stringify(
        models.map(({ provider, entry, override, current, upcoming }) => ({
          provider,
          override,
          ...entry,
          current: current ?? null,
          upcoming,
        })),
      ) + "\n",
    );
    return;
  }
  context.io.stdout.write(
    format === "csv" ? formatCsv(listColumns, models) : formatTable(listColumns, models),
  );
}

/** `llm-ledger pricing list`: the models of the catalog at the prices in force today. */
export const listCommand: CommandDefinition = {
  name: "list",
  summary: "the models of the catalog with the prices in force today (and changes announced for later)",
  options: { ...providerOption, ...formatOptions },
  run: (context) => Promise.resolve(runList(context)),
};
