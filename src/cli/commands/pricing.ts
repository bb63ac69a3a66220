import type { CommandContext, CommandDefinition } from "../command.js";
import { integerOption, requiredStringOption, stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { UsageError } from "../usage-error.js";
import { catalogUpdateCommands } from "./pricing-updates.js";
import { createPricingInForce } from "../../pricing-updates/index.js";
import {
  describeProvenance,
  normalizeProvider,
  PRICE_BUCKETS,
  type BucketPrices,
  type ListedModel,
  type Pricing,
  type PricePeriod,
} from "../../pricing/index.js";

/** The catalog is stale after this many days; `pricing check` warns. */
const STALE_AFTER_DAYS = 60;
const DAY_MS = 86_400_000;

const providerOption = {
  provider: {
    type: "string",
    valueName: "P",
    description: "provider slug or alias (anthropic, openai, bedrock, vertex, openai.chat, …)",
  },
} as const;

// The catalog in force (a newer one cached by `pricing update`, else the shipped one) plus overrides.
function pricingFor(context: CommandContext): Pricing {
  return createPricingInForce(context.io).pricing;
}

function providerArgument(context: CommandContext): string | undefined {
  const provider = stringOption(context, "provider");
  if (provider !== undefined && normalizeProvider(provider) === undefined) {
    throw new UsageError(`--provider '${provider}' is not a known provider or alias`);
  }
  return provider;
}

const modelOption = {
  model: {
    type: "string",
    valueName: "M",
    description: "model id, spelt as your application sends it (required)",
  },
} as const;

const tokenFlags = {
  input: "inputTokens",
  output: "outputTokens",
  "cache-read": "cacheReadTokens",
  "cache-write": "cacheWriteTokens",
  "cache-write-1h": "cacheWrite1hTokens",
  reasoning: "reasoningTokens",
} as const;

function runEstimate(context: CommandContext): number {
  const model = requiredStringOption(context, "model");
  const provider = providerArgument(context);
  const usage = { inputTokens: 0, outputTokens: 0 } as Record<string, number>;
  for (const [flag, key] of Object.entries(tokenFlags)) {
    const value = integerOption(context, flag, { min: 0, max: 1_000_000_000 });
    if (value !== undefined) usage[key] = value;
  }
  const at = stringOption(context, "at");
  if (at !== undefined && Number.isNaN(Date.parse(at))) {
    throw new UsageError(`--at must be an ISO 8601 date or time, got '${at}'`);
  }
  if ((usage.reasoningTokens ?? 0) > (usage.outputTokens ?? 0)) {
    throw new UsageError("--reasoning must not exceed --output (output tokens include reasoning)");
  }
  const estimate = pricingFor(context).estimateCost({
    model,
    provider,
    usage: usage as { inputTokens: number; outputTokens: number },
    at,
  });
  const format = outputFormat(context);
  if (format === "json") {
    context.io.stdout.write(JSON.stringify(estimate) + "\n");
    return estimate.priced ? 0 : 1;
  }
  if (!estimate.priced) {
    // CSV output stays data only; the reason goes to stderr there.
    const stream = format === "csv" ? context.io.stderr : context.io.stdout;
    stream.write(`not priced: ${estimate.reason} (provider ${estimate.provider})\n`);
    return 1;
  }
  const rows = [
    { bucket: "input", tokens: usage.inputTokens ?? 0, cost: estimate.breakdown.input },
    { bucket: "output", tokens: usage.outputTokens ?? 0, cost: estimate.breakdown.output },
    { bucket: "cacheRead", tokens: usage.cacheReadTokens ?? 0, cost: estimate.breakdown.cacheRead },
    { bucket: "cacheWrite", tokens: usage.cacheWriteTokens ?? 0, cost: estimate.breakdown.cacheWrite },
    {
      bucket: "cacheWrite1h",
      tokens: usage.cacheWrite1hTokens ?? 0,
      cost: estimate.breakdown.cacheWrite1h,
    },
  ];
  const fallback = new Set<string>(estimate.breakdown.billedAsInput);
  const columns: Column<(typeof rows)[number]>[] = [
    { header: "bucket", value: (row) => row.bucket },
    { header: "tokens", value: (row) => String(row.tokens), align: "right" },
    { header: "cost USD", value: (row) => row.cost, align: "right" },
    { header: "", value: (row) => (fallback.has(row.bucket) ? "billed at the input price" : "") },
  ];
  const total = {
    bucket: "total",
    tokens: rows.reduce((sum, row) => sum + row.tokens, 0),
    cost: estimate.costUsd,
  };
  if (format === "csv") {
    context.io.stdout.write(formatCsv(columns.slice(0, 3), [...rows, total]));
    return 0;
  }
  const lines = [
    `model    ${estimate.model} (${estimate.provider}; matched by ${estimate.matchedBy.join(", ")})`,
    // The catalog key that priced it, when a host spells the model its own way.
    ...(estimate.catalogId !== estimate.model ? [`entry    ${estimate.catalogId}`] : []),
    `prices   catalog ${estimate.pricingVersion}, tier ${estimate.tier}`,
    ...(estimate.note ? [`note     ${estimate.note}`] : []),
    ...(estimate.rules ?? []).map((rule) => `rule     ${rule}`),
    "",
  ];
  context.io.stdout.write(lines.join("\n") + "\n" + formatTable(columns, rows, [total]));
  return 0;
}

const estimateCommand: CommandDefinition = {
  name: "estimate",
  summary: "the exact cost of one call",
  description:
    "Example: llm-ledger pricing estimate --model claude-sonnet-4-5 --input 1200 --output 300 --cache-read 5000",
  options: {
    ...modelOption,
    ...providerOption,
    input: { type: "string", valueName: "N", description: "uncached input tokens" },
    output: { type: "string", valueName: "N", description: "output tokens, reasoning included" },
    "cache-read": { type: "string", valueName: "N", description: "cache read tokens" },
    "cache-write": { type: "string", valueName: "N", description: "5-minute cache write tokens" },
    "cache-write-1h": { type: "string", valueName: "N", description: "1-hour cache write tokens" },
    reasoning: {
      type: "string",
      valueName: "N",
      description: "reasoning tokens (informational, inside --output)",
    },
    at: {
      type: "string",
      valueName: "ISO",
      description: "price in force at this time (default: now)",
    },
    ...formatOptions,
  },
  run: (context) => Promise.resolve(runEstimate(context)),
};

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

const listColumns: Column<ListedModel>[] = [
  { header: "provider", value: (row) => row.provider },
  { header: "model", value: (row) => row.entry.id + (row.override ? " (override)" : "") },
  ...PRICE_BUCKETS.map((bucket): Column<ListedModel> => ({
    header: bucket.replaceAll("_", " "),
    value: (row) => row.entry.prices.at(-1)?.[bucket] ?? (row.entry.prices.length > 0 ? "" : "-"),
    align: "right",
  })),
  {
    header: "tiers",
    value: (row) => (row.entry.prices.at(-1)?.tiers ?? []).map((tier) => `>${tier.above}`).join(" "),
  },
];

function runList(context: CommandContext): void {
  const models = pricingFor(context).listModels(providerArgument(context));
  const format = outputFormat(context);
  if (format === "json") {
    context.io.stdout.write(
      JSON.stringify(models.map(({ provider, entry, override }) => ({ provider, override, ...entry }))) +
        "\n",
    );
  } else {
    context.io.stdout.write(
      format === "csv" ? formatCsv(listColumns, models) : formatTable(listColumns, models),
    );
  }
}

const listCommand: CommandDefinition = {
  name: "list",
  summary: "the models of the catalog with their current prices",
  options: { ...providerOption, ...formatOptions },
  run: (context) => Promise.resolve(runList(context)),
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
  summary: "estimate a call's cost, show and list catalog prices, check, update the catalog",
  subcommands: [estimateCommand, showCommand, listCommand, checkCommand, ...catalogUpdateCommands],
};
