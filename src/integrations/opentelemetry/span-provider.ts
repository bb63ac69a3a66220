import { normalizeProvider } from "../../pricing/index.js";

// GenAI semantic-convention provider names (`gen_ai.provider.name`, formerly `gen_ai.system`) that are
// not already one of our provider slugs or their aliases.
const genAiProviders: Readonly<Record<string, string>> = {
  "gcp.gemini": "google",
  "gcp.gen_ai": "google",
  "gcp.vertex_ai": "google-vertex",
  vertex_ai: "google-vertex",
  "az.ai.openai": "azure",
  "azure.ai.openai": "azure",
  "azure.ai.inference": "azure",
  x_ai: "xai",
  mistral_ai: "mistral",
};

/**
 * Our provider slug for a span's provider name (GenAI, OpenInference or an AI SDK provider id such as
 * `anthropic.messages`), or undefined when it is not recognised: the pricer then takes the provider
 * from the model id.
 */
export function providerOfSpan(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const lower = name.trim().toLowerCase();
  return normalizeProvider(genAiProviders[lower] ?? lower);
}
