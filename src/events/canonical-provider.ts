// The provider an event is stored under. Callers spell a host many ways (`amazon-bedrock` from the AI
// SDK, `bedrock`, `AWS.Bedrock`, `openai.chat`); stored as sent, one host would be several rows in
// every "spend by provider" and the provider filter would miss some of its calls. Every ingest path
// (the tracker, POST /v1/events, import, OTLP spans) parses through parseEventInput, which calls this,
// so the rule lives here once. The spellings themselves are pricing's table (`normalizeProvider`),
// since pricing resolves them too and depends on nothing of ours.
import { normalizeProvider } from "../pricing/index.js";

/**
 * The canonical provider slug of a spelling the pricing table knows (`amazon-bedrock` → `aws-bedrock`,
 * `OpenAI` → `openai`), or the text as sent when it names a host the table does not (a private proxy
 * keeps its own name rather than becoming `unknown`).
 *
 * @example
 * canonicalProvider("amazon-bedrock") // "aws-bedrock"
 * canonicalProvider("my-proxy") // "my-proxy"
 */
export function canonicalProvider(provider: string): string {
  return normalizeProvider(provider) ?? provider;
}
