import type { CommandDefinition } from "../command.js";
import { databaseOptions } from "../database-option.js";
import { booleanOption, stringOption } from "../option-values.js";
import { formatOptions, outputFormat } from "../output-format.js";
import { createProgress } from "../progress.js";
import { createPricingInForce } from "../../pricing-updates/index.js";
import { repriceEvents } from "../../query/index.js";
import { parseSince, parseTime, schemaOption, withStore } from "../report-options.js";

/** `llm-ledger reprice`: recompute estimated costs with the current catalog and overrides. */
export const repriceCommand: CommandDefinition = {
  name: "reprice",
  summary: "recompute estimated costs with the current catalog (provider-reported costs untouched)",
  description: [
    "After a price fix or a new override (LLM_LEDGER_PRICING_FILE), recomputes estimated_cost_usd of the",
    "stored events at each event's own time; the hourly rollups follow in the same transactions.",
    "It also names each event's resolved model canonically (claude-sonnet-4-5, never a host's catalog key",
    "such as regional.anthropic.claude-sonnet-4-5-20250929-v1:0), also on events that keep the provider's",
    "reported figure; the id the application sent stays in model. Rows stored under another spelling of",
    "a provider (amazon-bedrock, Bedrock) move to its canonical slug (aws-bedrock), with their rollups.",
  ].join("\n"),
  options: {
    ...databaseOptions,
    ...schemaOption,
    since: {
      type: "string",
      valueName: "AGE|TIME",
      description: "only events since: 30d, 12h, 2w, or an ISO date or time",
    },
    "only-unpriced": { type: "boolean", description: "only events that had no price" },
    ...formatOptions,
  },
  async run(context) {
    const sinceText = stringOption(context, "since");
    const since =
      sinceText === undefined
        ? undefined
        : /^\d+[hdw]$/.test(sinceText.trim())
          ? parseSince(sinceText, new Date())
          : parseTime(sinceText, "since");
    // The catalog in force: a newer one cached by `pricing update`, else the shipped one.
    const pricing = createPricingInForce(context.io).pricing;
    const progress = createProgress(context.io, "repricing");
    const result = await withStore(context, (store) =>
      repriceEvents(store, pricing, {
        since,
        onlyUnpriced: booleanOption(context, "only-unpriced"),
        onProgress: (state) => progress.update(state.examined),
      }).finally(() => progress.finish()),
    );
    if (outputFormat(context) === "json") {
      context.io.stdout.write(JSON.stringify({ ...result, pricingVersion: pricing.version }) + "\n");
      return;
    }
    context.io.stdout.write(
      `examined ${result.examined} event(s), updated ${result.updated}; ${result.unpriced} still unpriced` +
        `${result.failed ? `; ${result.failed} could not be priced (left as they were)` : ""}` +
        ` (catalog ${pricing.version})\n`,
    );
    return result.failed > 0 ? 1 : 0;
  },
};
