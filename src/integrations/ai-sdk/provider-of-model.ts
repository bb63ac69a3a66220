import { normalizeProvider } from "../../pricing/index.js";

/**
 * The billing provider of an AI SDK model from its provider id (`anthropic.messages` → `anthropic`,
 * `openai.responses` → `openai`, `google.generative-ai` → `google`, `google.vertex.anthropic` →
 * `google-vertex`, `amazon-bedrock` → `aws-bedrock`, `azure.chat` → `azure`, `openrouter` → …), or
 * `undefined` when the id is not recognised: the tracker then takes it from the model id
 * (`extractProvider`).
 */
export function providerOfModel(providerId: string): string | undefined {
  return normalizeProvider(providerId);
}
