import { maxTokensPerCall, type EventUsage, type TokenField } from "../../events/index.js";
import type { CommandContext, CommandDefinition } from "../command.js";
import { integerOption, requiredStringOption, stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { UsageError } from "../usage-error.js";
import { modelOption, pricingFor, providerArgument, providerOption } from "./pricing-options.js";

const tokenFlags = {
  input: "inputTokens",
  output: "outputTokens",
  "cache-read": "cacheReadTokens",
  "cache-write": "cacheWriteTokens",
  "cache-write-1h": "cacheWrite1hTokens",
  reasoning: "reasoningTokens",
  "audio-input": "audioInputTokens",
  "audio-output": "audioOutputTokens",
  "image-output": "imageOutputTokens",
  "cache-read-audio": "cacheReadAudioTokens",
} as const satisfies Record<string, TokenField>;

function runEstimate(context: CommandContext): number {
  const model = requiredStringOption(context, "model");
  const provider = providerArgument(context);
  const usage: EventUsage = { inputTokens: 0, outputTokens: 0 };
  for (const [flag, key] of Object.entries(tokenFlags)) {
    const value = integerOption(context, flag, { min: 0, max: maxTokensPerCall });
    if (value !== undefined) usage[key] = value;
  }
  const at = stringOption(context, "at");
  if (at !== undefined && Number.isNaN(Date.parse(at))) {
    throw new UsageError(`--at must be an ISO 8601 date or time, got '${at}'`);
  }
  if ((usage.reasoningTokens ?? 0) > (usage.outputTokens ?? 0)) {
    throw new UsageError("--reasoning must not exceed --output (output tokens include reasoning)");
  }
  const webSearches = integerOption(context, "web-searches", { min: 0, max: maxTokensPerCall });
  if (webSearches !== undefined) usage.webSearchRequests = webSearches;
  const estimate = pricingFor(context).estimateCost({
    model,
    provider,
    usage,
    at,
    serviceTier: stringOption(context, "service-tier"),
    project: stringOption(context, "project"),
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
  const rows: { bucket: string; tokens: number | string; cost: string }[] = [
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
  // Modality rows only for a call that has such tokens: a text call's table stays as it was.
  for (const [bucket, key] of [
    ["audioInput", "audioInputTokens"],
    ["audioOutput", "audioOutputTokens"],
    ["imageOutput", "imageOutputTokens"],
    ["cacheReadAudio", "cacheReadAudioTokens"],
  ] as const) {
    const cost = estimate.breakdown[bucket];
    if (cost !== undefined) rows.push({ bucket, tokens: usage[key] ?? 0, cost });
  }
  // Fees are units, not tokens: their rows say so and stay out of the token total.
  const feeRows = (estimate.fees ?? []).map((fee) => ({
    bucket: fee.fee,
    tokens: `${fee.units} × $${fee.unitPriceUsd}`,
    cost: fee.costUsd,
  }));
  const fallback = new Set<string>(estimate.breakdown.billedAsInput);
  const columns: Column<(typeof rows)[number]>[] = [
    { header: "bucket", value: (row) => row.bucket },
    { header: "tokens", value: (row) => String(row.tokens), align: "right" },
    { header: "cost USD", value: (row) => row.cost, align: "right" },
    { header: "", value: (row) => (fallback.has(row.bucket) ? "billed at the input price" : "") },
  ];
  const total = {
    bucket: "total",
    tokens: rows.reduce((sum, row) => sum + (typeof row.tokens === "number" ? row.tokens : 0), 0),
    cost: estimate.costUsd,
  };
  // The rows add up to the list price; a negotiated discount comes off it before the total.
  const { discount } = estimate;
  const discountRows = discount
    ? [
        { bucket: "list price", tokens: "", cost: estimate.listCostUsd },
        { bucket: `discount ${discount.percent}%`, tokens: "", cost: `-${discount.amountUsd}` },
      ]
    : [];
  if (format === "csv") {
    context.io.stdout.write(formatCsv(columns.slice(0, 3), [...rows, ...feeRows, ...discountRows, total]));
    return 0;
  }
  const lines = [
    `model    ${estimate.model} (${estimate.provider}; matched by ${estimate.matchedBy.join(", ")})`,
    // The catalog key that priced it, when a host spells the model its own way.
    ...(estimate.catalogId !== estimate.model ? [`entry    ${estimate.catalogId}`] : []),
    `prices   catalog ${estimate.pricingVersion}, tier ${estimate.tier}, service tier ${estimate.serviceTier}`,
    ...(estimate.timeOfDay === undefined ? [] : [`window   ${estimate.timeOfDay}`]),
    ...(estimate.note ? [`note     ${estimate.note}`] : []),
    ...(estimate.rules ?? []).map((rule) => `rule     ${rule}`),
    "",
  ];
  context.io.stdout.write(
    lines.join("\n") + "\n" + formatTable(columns, [...rows, ...feeRows], [...discountRows, total]),
  );
  return 0;
}

/** `llm-ledger pricing estimate`: the exact cost of one call. */
export const estimateCommand: CommandDefinition = {
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
    "service-tier": {
      type: "string",
      valueName: "TIER",
      description: "the tier that served the call: standard (default), batch, flex, priority",
    },
    "web-searches": { type: "string", valueName: "N", description: "web searches billed per unit" },
    "audio-input": { type: "string", valueName: "N", description: "audio input tokens (not in --input)" },
    "audio-output": { type: "string", valueName: "N", description: "audio output tokens (not in --output)" },
    "image-output": { type: "string", valueName: "N", description: "image output tokens (not in --output)" },
    "cache-read-audio": {
      type: "string",
      valueName: "N",
      description: "cached audio input tokens (not in --cache-read)",
    },
    project: {
      type: "string",
      valueName: "SLUG",
      description: "the call's project: selects its negotiated discount (overrides file)",
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
