import type { MatchRule } from "./types.js";

// The normal forms a model id is tried under, in order: each step removes one kind of decoration
// that real applications add (SDK suffixes, provider prefixes, Bedrock and Vertex ids, snapshots).

/** A spelling to try and the rules that produced it from the original id. */
export interface Spelling {
  spelling: string;
  rules: MatchRule[];
}

const STEPS: readonly [MatchRule, (spelling: string) => string][] = [
  // `models/gemini-2.0-flash`, `anthropic/claude-haiku-4.5`, `accounts/fireworks/models/x`.
  ["provider-prefix", (spelling) => spelling.replace(/^.*\//, "")],
  // `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5-20250929`.
  [
    "bedrock-id",
    (spelling) =>
      spelling
        .replace(BEDROCK_REGION, "")
        .replace(BEDROCK_VENDOR, "")
        .replace(/-v\d+(?::\d+)?$/, "")
        .replace(/:\d+$/, ""),
  ],
  // `claude-sonnet-4-5@20250929` → `claude-sonnet-4-5-20250929`; `gemini-2.0-flash@001` → `gemini-2.0-flash`.
  ["vertex-version", (spelling) => spelling.replace(/@(\d{8})$/, "-$1").replace(/@.*$/, "")],
  // `gpt-4o-mini-2024-07-18`, `claude-sonnet-4-5-20250929`.
  ["dated-snapshot", (spelling) => spelling.replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2})$/, "")],
  // `gemini-2.0-flash-001`, `claude-3-5-haiku-latest`.
  ["version-suffix", (spelling) => spelling.replace(/-(?:\d{3}|latest)$/, "")],
  // OpenRouter and marketing spellings: `claude-haiku-4.5` → `claude-haiku-4-5`.
  ["dotted-version", (spelling) => spelling.replace(/(\d)\.(\d)/g, "$1-$2")],
];

/** Bedrock cross-region inference profile prefixes. */
export const BEDROCK_REGION = /^(?:us|eu|apac|au|jp|ca|us-gov|global)\./;

/** Bedrock model vendor prefixes (`anthropic.claude-…`). */
export const BEDROCK_VENDOR =
  /^(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer|moonshot|minimax|stability|twelvelabs)\./;

/** The spellings to try for a lower-cased id, the id itself first. */
export function spellingsOf(lower: string): Spelling[] {
  // Agent SDK usage keys (`claude-sonnet-4-5[1m]`) never name a model with the suffix: strip it first.
  const bare = lower.endsWith("]") ? lower.replace(/\[[^\]]*\]$/, "") : lower;
  let rules: MatchRule[] = bare === lower ? [] : ["agent-sdk-suffix"];
  let current = bare;
  const spellings: Spelling[] = [{ spelling: current, rules }];
  for (const [rule, step] of STEPS) {
    const next = step(current);
    if (next === current || next === "") continue;
    current = next;
    rules = [...rules, rule];
    spellings.push({ spelling: current, rules });
  }
  return spellings;
}

/** True when an id has the shape of a Bedrock model id or inference profile. */
export function looksLikeBedrock(lower: string): boolean {
  if (lower.includes("/")) return false;
  return BEDROCK_REGION.test(lower) || (BEDROCK_VENDOR.test(lower) && /-v\d+(?::\d+)?$|:\d+$/.test(lower));
}
