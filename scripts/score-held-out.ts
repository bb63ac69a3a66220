// Scores pricing libraries on held-out cases (scripts/held-out-cases.ts): each call is priced with
// our catalog (`estimateCost`) and with @pydantic/genai-prices (`calcPrice`), and each library gets
// a count of exact prices, wrong prices, unknown versions flagged, unknown versions priced as a
// sibling (the bad case), known models left unpriced, and errors. Always exits 0: it reports.
//
//   node --import tsx scripts/score-held-out.ts FILE.jsonl [--verbose]
//
// genai-prices returns binary floats; they are rounded to 12 decimal places before comparing, so a
// float's last-bit noise is not counted against it.
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { calcPrice } from "@pydantic/genai-prices";
import { catalogVersion, estimateCost } from "../src/pricing/index.js";
import { readCases, type HeldOutCase } from "./held-out-cases.js";

/** What a library answered for one case: a price in decimal dollars, no price, or a failure. */
export type Answer = { priced: true; usd: string } | { priced: false } | { error: string };

/** A pricing library under test. */
export interface Library {
  name: string;
  price(item: HeldOutCase): Answer;
}

export type Outcome = "exact" | "wrong" | "flagged" | "sibling" | "missed" | "error";

/** Counts per outcome, and the cases that were not right with what the library answered. */
export interface Score {
  library: string;
  counts: Record<Outcome, number>;
  misses: string[];
}

/** A decimal without leading or trailing zeros, so equal amounts compare equal as text. */
export function normalizeDecimal(value: string): string {
  const [whole = "0", fraction = ""] = value.split(".");
  const integer = whole.replace(/^0+(?=\d)/, "");
  const decimals = fraction.replace(/0+$/, "");
  return decimals === "" ? integer : `${integer}.${decimals}`;
}

function outcomeOf(item: HeldOutCase, answer: Answer): Outcome {
  if ("error" in answer) return "error";
  if (item.expectedUsd === "unpriced") return answer.priced ? "sibling" : "flagged";
  if (!answer.priced) return "missed";
  return normalizeDecimal(answer.usd) === normalizeDecimal(item.expectedUsd) ? "exact" : "wrong";
}

/** Prices every case with one library and counts the outcomes. */
export function scoreCases(cases: readonly HeldOutCase[], library: Library): Score {
  const counts: Record<Outcome, number> = { exact: 0, wrong: 0, flagged: 0, sibling: 0, missed: 0, error: 0 };
  const misses: string[] = [];
  for (const item of cases) {
    let answer: Answer;
    try {
      answer = library.price(item);
    } catch (error) {
      answer = { error: (error as Error).message };
    }
    const outcome = outcomeOf(item, answer);
    counts[outcome] += 1;
    if (outcome === "exact" || outcome === "flagged") continue;
    const got = "error" in answer ? answer.error : answer.priced ? answer.usd : "unpriced";
    misses.push(
      `${outcome}: ${item.id} (${item.provider} ${item.model}) expected ${item.expectedUsd}, got ${got}`,
    );
  }
  return { library: library.name, counts, misses };
}

/** Our catalog, through the public `estimateCost`. */
export const ourLibrary: Library = {
  name: `llm-ledger (catalog ${catalogVersion()})`,
  price(item) {
    const estimate = estimateCost({
      model: item.model,
      provider: item.provider,
      usage: item.usage,
      ...(item.at ? { at: `${item.at}T12:00:00Z` } : {}),
    });
    return estimate.priced ? { priced: true, usd: estimate.costUsd } : { priced: false };
  },
};

// Our provider slugs → genai-prices provider ids (both Gemini and Claude on Vertex are "google").
const GENAI_PROVIDERS: ReadonlyMap<string, string> = new Map([
  ["anthropic", "anthropic"],
  ["openai", "openai"],
  ["google", "google"],
  ["google-vertex", "google"],
  ["aws-bedrock", "aws"],
  ["azure", "azure"],
  ["mistral", "mistral"],
  ["deepseek", "deepseek"],
  ["xai", "x-ai"],
  ["groq", "groq"],
  ["together", "together"],
  ["fireworks", "fireworks"],
  ["cohere", "cohere"],
  ["openrouter", "openrouter"],
  ["perplexity", "perplexity"],
]);

/**
 * @pydantic/genai-prices through `calcPrice`. Its usage counts all input in `input_tokens` and
 * all cache writes in `cache_write_tokens` (1-hour writes again in `cache_write_1h_tokens`).
 */
export function genaiLibrary(version: string): Library {
  return {
    name: `@pydantic/genai-prices ${version}`,
    price(item) {
      const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens } = item.usage;
      const writes = cacheWriteTokens + cacheWrite1hTokens;
      const usage: Record<string, number> = {
        input_tokens: inputTokens + cacheReadTokens + writes,
        output_tokens: outputTokens,
      };
      if (cacheReadTokens > 0) usage.cache_read_tokens = cacheReadTokens;
      if (writes > 0) usage.cache_write_tokens = writes;
      if (cacheWrite1hTokens > 0) usage.cache_write_1h_tokens = cacheWrite1hTokens;
      const providerId = GENAI_PROVIDERS.get(item.provider);
      const result = calcPrice(usage, item.model, {
        ...(providerId ? { providerId } : {}),
        ...(item.at ? { timestamp: new Date(`${item.at}T12:00:00Z`) } : {}),
      });
      if (!result) return { priced: false };
      return { priced: true, usd: normalizeDecimal(result.total_price.toFixed(12)) };
    },
  };
}

/** The score table, one row per library, then (with `verbose`) each library's misses. */
export function describeScores(scores: readonly Score[], cases: number, verbose: boolean): string {
  const columns: Outcome[] = ["exact", "wrong", "flagged", "sibling", "missed", "error"];
  const width = Math.max(...scores.map((score) => score.library.length), 7);
  const lines = [
    `${cases} held-out cases`,
    `${"library".padEnd(width)}  ${columns.map((column) => column.padStart(7)).join(" ")}`,
    ...scores.map(
      (score) =>
        `${score.library.padEnd(width)}  ${columns.map((column) => String(score.counts[column]).padStart(7)).join(" ")}`,
    ),
    "",
    "exact: the expected price; flagged: an unknown version left unpriced; sibling: an unknown version",
    "priced as another model; missed: a listed model left unpriced; wrong: another price.",
  ];
  if (verbose) {
    for (const score of scores) {
      lines.push("", `## ${score.library}: ${score.misses.length} not right`);
      lines.push(...score.misses.map((miss) => `  ${miss}`));
    }
  }
  return lines.join("\n");
}

async function main(args: string[]): Promise<void> {
  const file = args.find((arg) => !arg.startsWith("--"));
  if (file === undefined) throw new Error("usage: score-held-out.ts FILE.jsonl [--verbose]");
  const cases = await readCases(file);
  const packageJson = new URL("../node_modules/@pydantic/genai-prices/package.json", import.meta.url);
  const { version } = JSON.parse(await readFile(packageJson, "utf8")) as { version: string };
  const scores = [ourLibrary, genaiLibrary(version)].map((library) => scoreCases(cases, library));
  console.log(describeScores(scores, cases.length, args.includes("--verbose")));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main(process.argv.slice(2));
