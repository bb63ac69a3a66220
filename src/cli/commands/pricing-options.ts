// What the \`pricing\` subcommands share: the provider and model options, and the pricing in force.
import type { CommandContext } from "../command.js";
import { stringOption } from "../option-values.js";
import { UsageError } from "../usage-error.js";
import { createPricingInForce } from "../../pricing-updates/index.js";
import { normalizeProvider, type Pricing } from "../../pricing/index.js";

export const providerOption = {
  provider: {
    type: "string",
    valueName: "P",
    description: "provider slug or alias (anthropic, openai, bedrock, vertex, openai.chat, …)",
  },
} as const;

// The catalog in force (a newer one cached by `pricing update`, else the shipped one) plus overrides.
export function pricingFor(context: CommandContext): Pricing {
  return createPricingInForce(context.io).pricing;
}

export function providerArgument(context: CommandContext): string | undefined {
  const provider = stringOption(context, "provider");
  if (provider !== undefined && normalizeProvider(provider) === undefined) {
    throw new UsageError(`--provider '${provider}' is not a known provider or alias`);
  }
  return provider;
}

export const modelOption = {
  model: {
    type: "string",
    valueName: "M",
    description: "model id, spelt as your application sends it (required)",
  },
} as const;
