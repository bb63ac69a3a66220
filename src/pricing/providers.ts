import { PROVIDERS, type Provider } from "./types.js";

const CANONICAL = new Set<string>(PROVIDERS);

// Aliases callers send: SDK provider ids (the AI SDK's `provider` field), short forms and vendor names.
const ALIASES: Readonly<Record<string, Provider>> = {
  bedrock: "aws-bedrock",
  "amazon-bedrock": "aws-bedrock",
  "aws.bedrock": "aws-bedrock",
  aws: "aws-bedrock",
  vertex: "google-vertex",
  "vertex-ai": "google-vertex",
  vertexai: "google-vertex",
  "google.vertex": "google-vertex",
  gemini: "google",
  "google-ai": "google",
  "google.generative-ai": "google",
  "google-generative-ai": "google",
  "azure-openai": "azure",
  "x-ai": "xai",
  mistralai: "mistral",
  "together-ai": "together",
  togetherai: "together",
  "fireworks-ai": "fireworks",
  "meta-llama": "meta",
  "llama-api": "meta",
};

/**
 * Maps a provider spelling to its canonical slug, or `undefined` when it is not recognised.
 * Accepts canonical slugs, the aliases above and AI SDK ids such as `openai.chat`,
 * `anthropic.messages` and `google.vertex.anthropic` (case-insensitive).
 *
 * @example
 * normalizeProvider("amazon-bedrock") // "aws-bedrock"
 * normalizeProvider("google.vertex.anthropic") // "google-vertex"
 */
export function normalizeProvider(provider: string): Provider | undefined {
  const lower = provider.trim().toLowerCase();
  if (CANONICAL.has(lower)) return lower as Provider;
  const alias = ALIASES[lower];
  if (alias) return alias;
  // AI SDK ids are `<provider>.<api>` (`openai.responses`) or `<provider>.<sub>.<api>` (`google.vertex.chat`).
  const dot = lower.indexOf(".");
  if (dot <= 0) return undefined;
  const head = lower.slice(0, dot);
  if (head === "google" && lower.startsWith("google.vertex")) return "google-vertex";
  if (head === "amazon" || head === "bedrock") return "aws-bedrock";
  if (CANONICAL.has(head) && head !== "unknown") return head as Provider;
  return ALIASES[head];
}

/** True when `value` is a canonical provider slug. */
export function isProvider(value: unknown): value is Provider {
  return typeof value === "string" && CANONICAL.has(value);
}
