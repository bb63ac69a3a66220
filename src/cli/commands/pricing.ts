import type { CommandContext, CommandDefinition } from "../command.js";
import { stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { UsageError } from "../usage-error.js";
import { estimateCommand } from "./pricing-estimate.js";
import { explainCommand } from "./pricing-explain.js";
import { listCommand } from "./pricing-list.js";
import { modelOption, pricingFor, providerArgument, providerOption } from "./pricing-options.js";
import { catalogUpdateCommands } from "./pricing-updates.js";
import {
  describeProvenance,
  describeWindow,
  PRICE_BUCKETS,
  type BucketPrices,
  type PricePeriod,
} from "../../pricing/index.js";

/** The catalog is stale after this many days; `pricing check` warns. */
const STALE_AFTER_DAYS = 60;
const DAY_MS = 86_400_000;

interface PriceRow {
  from: string;
  tier: string;
  prices: BucketPrices;
}

function priceRows(periods: readonly PricePeriod[]): PriceRow[] {
  return periods.flatMap((period) => [
    { from: period.from ?? "-", tier: "base", prices: period },
    ...(period.tiers ?? []).map((tier) => ({
      from: period.from ?? "-",
      tier: `> ${tier.above}`,
      prices: tier,
    })),
    // Hours with prices of their own (DeepSeek's peak), under the period's own (off-window) row.
    ...(period.time_of_day ?? []).map((window) => ({
      from: period.from ?? "-",
      tier: describeWindow(window),
      prices: window,
    })),
  ]);
}

const priceColumns: Column<PriceRow>[] = [
  { header: "from", value: (row) => row.from },
  { header: "tier", value: (row) => row.tier },
  ...PRICE_BUCKETS.map((bucket): Column<PriceRow> => ({
    header: bucket.replaceAll("_", " "),
    value: (row) => row.prices[bucket] ?? "(input)",
    align: "right",
  })),
];

/** `show` names its model as `estimate` does (`--model M`) or as an argument, never both. */
function modelArgument(context: CommandContext): string {
  const flag = stringOption(context, "model");
  const positional = context.positionals[0];
  if (flag !== undefined && positional !== undefined && flag !== positional) {
    throw new UsageError(`give the model once: MODEL or --model, not '${positional}' and '${flag}'`);
  }
  const model = flag ?? positional;
  if (model === undefined || model === "") throw new UsageError("'show' needs MODEL (or --model MODEL)");
  return model;
}

function runShow(context: CommandContext): number {
  const model = modelArgument(context);
  const pricing = pricingFor(context);
  const resolved = pricing.resolveModel(model, providerArgument(context));
  if (!resolved) {
    context.io.stderr.write(`llm-ledger: no catalog entry matches '${model}'\n`);
    return 1;
  }
  const header = pricing.describeProvider(resolved.provider);
  const { entry } = resolved;
  const source = entry.source ?? header?.source ?? "";
  const checked = entry.checked ?? header?.checked;
  const provenance = describeProvenance(entry, header);
  const format = outputFormat(context);
  if (format === "json") {
    context.io.stdout.write(
      JSON.stringify({ ...resolved, source, checked, imported: header?.imported, provenance }) + "\n",
    );
    return 0;
  }
  if (format === "csv") {
    context.io.stdout.write(formatCsv(priceColumns, priceRows(entry.prices)));
    return 0;
  }
  const lines = [
    `model     ${entry.id}${entry.name ? ` (${entry.name})` : ""}`,
    `provider  ${resolved.provider}; matched by ${resolved.matchedBy.join(", ")}`,
    ...(entry.aliases?.length ? [`aliases   ${entry.aliases.join(", ")}`] : []),
    ...(entry.patterns?.length ? [`patterns  ${entry.patterns.join("  ")}`] : []),
    `source    ${source} (${provenance})`,
    ...(entry.notes ? [`notes     ${entry.notes}`] : []),
    ...(resolved.note ? [`note      ${resolved.note}`] : []),
    ...(entry.unpriced ? [`unpriced  ${entry.unpriced}`] : []),
    // From the end date, a call to the id is flagged instead of priced (docs/pricing.md, "End dates").
    ...(entry.retired ? [`retired   ${entry.retired} (calls from that day are not priced)`] : []),
    "",
    "US dollars per million tokens:",
  ];
  context.io.stdout.write(lines.join("\n") + "\n" + formatTable(priceColumns, priceRows(entry.prices)));
  return 0;
}

const showCommand: CommandDefinition = {
  name: "show",
  summary: "every price, tier and dated change of a model, and its source",
  usage: "MODEL | --model MODEL",
  positionals: { max: 1 },
  options: { ...modelOption, ...providerOption, ...formatOptions },
  run: (context) => Promise.resolve(runShow(context)),
};

function runCheck(context: CommandContext): number {
  const pricing = pricingFor(context);
  const models = pricing.listModels();
  const providers = new Set(models.map((model) => model.provider));
  const ageDays = Math.floor((Date.now() - Date.parse(`${pricing.catalogDate}T00:00:00Z`)) / DAY_MS);
  const stale = ageDays > STALE_AFTER_DAYS;
  const overridesFile = context.io.env.LLM_LEDGER_PRICING_FILE;
  if (context.options.json === true) {
    context.io.stdout.write(
      JSON.stringify({
        ok: true,
        catalogDate: pricing.catalogDate,
        ageDays,
        stale,
        pricingVersion: pricing.version,
        models: models.length,
        providers: providers.size,
        overridesFile: overridesFile ?? null,
      }) + "\n",
    );
    return 0;
  }
  const lines = [
    `catalog ${pricing.catalogDate} (${ageDays} days old): ${models.length} models over ${providers.size} providers, valid`,
    overridesFile
      ? `overrides ${overridesFile}: valid (pricing version ${pricing.version})`
      : "no overrides (LLM_LEDGER_PRICING_FILE is not set)",
  ];
  context.io.stdout.write(lines.join("\n") + "\n");
  if (stale) {
    context.io.stderr.write(
      `warning: the pricing catalog is ${ageDays} days old (more than ${STALE_AFTER_DAYS}); upgrade llm-ledger, or fetch a newer one with llm-ledger pricing update\n`,
    );
  }
  return 0;
}

const checkCommand: CommandDefinition = {
  name: "check",
  summary: "validate the catalog and any overrides, and warn when the catalog is stale",
  options: { json: { type: "boolean", description: "print one JSON object" } },
  run: (context) => Promise.resolve(runCheck(context)),
};

/** `llm-ledger pricing`: estimate costs and inspect the price catalog. */
export const pricingCommand: CommandDefinition = {
  name: "pricing",
  summary:
    "estimate a call's cost, explain a stored one, show and list catalog prices, check, update the catalog",
  subcommands: [
    estimateCommand,
    explainCommand,
    showCommand,
    listCommand,
    checkCommand,
    ...catalogUpdateCommands,
  ],
};
