import { describe, expect, it } from "vitest";
import { createPricing, estimateCost, resolveModel, type Provider } from "../../src/pricing/index.js";

// Issue 17, defect 1: an id naming a version the catalog lacks is never priced as its sibling
// (`claude-sonnet-5-5` matched `^claude-sonnet-5` and was charged Sonnet 5's prices). Sonnet 5.5 is in
// the catalog since the 2026-12 review, so the cases below name a version no catalog lists (5.7).

const usage = { inputTokens: 1000, outputTokens: 1000, cacheReadTokens: 1000 };

describe("a version the catalog does not list", () => {
  it.each([
    ["claude-sonnet-5-7", undefined, "claude-sonnet-5"],
    ["claude-sonnet-5-7", "anthropic", "claude-sonnet-5"],
    ["claude-sonnet-5.7", "anthropic", "claude-sonnet-5"],
    ["claude-sonnet-5-7-20260101", "anthropic", "claude-sonnet-5"],
    ["claude-sonnet-5-7@20260101", "vertex", "claude-sonnet-5"],
    ["claude-sonnet-5-7", "google-vertex", "claude-sonnet-5"],
    ["us.anthropic.claude-sonnet-5-7-v1:0", undefined, "regional.anthropic.claude-sonnet-5-v1:0"],
    ["anthropic.claude-sonnet-5-7-20260101-v1:0", "bedrock", "regional.anthropic.claude-sonnet-5-v1:0"],
    ["global.anthropic.claude-sonnet-5-7-v1:0", "bedrock", "global.anthropic.claude-sonnet-5-v1:0"],
  ] as const)("%s (provider %s) is unpriced, naming %s", (model, provider, nearest) => {
    expect(resolveModel(model, provider)).toBeUndefined();
    const estimate = estimateCost({ model, provider, usage });
    expect(estimate.priced).toBe(false);
    if (estimate.priced) return;
    expect(estimate.reason).toContain(nearest);
    expect(estimate.nearest?.model).toBe(nearest);
  });

  it.each([
    // [snapshot, provider, the version's own spelling]
    ["claude-sonnet-5-20250929", "anthropic", "claude-sonnet-5"],
    ["claude-sonnet-5@20250929", "vertex", "claude-sonnet-5"],
    ["claude-sonnet-5-latest", "anthropic", "claude-sonnet-5"],
    ["us.anthropic.claude-sonnet-5-20250929-v1:0", "bedrock", "us.anthropic.claude-sonnet-5-v1:0"],
    ["anthropic.claude-sonnet-5-v1:0", "bedrock", "us.anthropic.claude-sonnet-5-v1:0"],
    ["global.anthropic.claude-sonnet-5-20250929-v1:0", "bedrock", "global.anthropic.claude-sonnet-5-v1:0"],
    ["claude-sonnet-4-5-20250929", "anthropic", "claude-sonnet-4-5"],
    ["gemini-2.0-flash-001", "google", "gemini-2.0-flash"],
    ["gpt-4o-mini-2024-07-18", "openai", "gpt-4o-mini"],
  ] as const)("the snapshot %s (provider %s) still resolves as %s", (model, provider, version) => {
    const snapshot = resolveModel(model, provider);
    expect(snapshot).toBeDefined();
    expect(snapshot?.entry).toBe(resolveModel(version, provider)?.entry);
    expect(estimateCost({ model, provider, usage }).priced).toBe(true);
  });
});

// Where the first run of version numbers sits in an id (`claude-sonnet-4-5-20250929` → "4-5").
const VERSION_RUN = /(?<=(?:^|[-._/:])[a-z]*)(\d{1,2})((?:[-.]\d{1,2})*)(?=$|[-_:@/#]|\.[a-z])/i;

/** Ids naming the next versions of an id's first version run: x-5 → x-5-1, x-5-5, x-6; x.4 → x.9, x.4.1, x.5. */
function nextVersions(id: string): string[] {
  const bare = id.replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2})(?=$|[^0-9])/g, (date) => "#".repeat(date.length));
  const match = VERSION_RUN.exec(bare);
  if (!match) return [];
  const run = match[0];
  const separator = run.includes(".") ? "." : "-";
  const numbers = run.split(/[-.]/).map(Number);
  const last = numbers.length - 1;
  const variants = [
    [...numbers, 1],
    [...numbers, 5],
    numbers.map((number, index) => (index === last ? number + 1 : number)),
    numbers.map((number, index) => (index === last ? 9 : number)),
    [numbers[0]! + 1],
  ];
  const start = match.index;
  return [
    ...new Set(
      variants
        .map((numbers) => numbers.join(separator))
        .filter((version) => version !== run)
        .map((version) => id.slice(0, start) + version + id.slice(start + run.length)),
    ),
  ];
}

describe("the whole catalog", () => {
  const pricing = createPricing();
  const models = pricing.listModels();
  const listed = new Map<Provider, Set<string>>();
  for (const { provider, entry } of models) {
    const spellings = listed.get(provider) ?? new Set<string>();
    for (const spelling of [entry.id, ...(entry.aliases ?? [])]) spellings.add(spelling.toLowerCase());
    listed.set(provider, spellings);
  }

  it("resolves every listed spelling of every model to that model", () => {
    for (const { provider, entry } of models) {
      for (const spelling of [entry.id, ...(entry.aliases ?? [])]) {
        const resolved = pricing.resolveModel(spelling, provider);
        expect(resolved?.entry, `${provider}: ${spelling}`).toBe(entry);
      }
    }
  });

  it("never resolves an invented next version to the model it was invented from", () => {
    const wrong: string[] = [];
    let invented = 0;
    for (const { provider, entry } of models) {
      for (const candidate of nextVersions(entry.id)) {
        if (listed.get(provider)?.has(candidate.toLowerCase())) continue;
        invented++;
        for (const asked of [provider, undefined]) {
          const resolved = pricing.resolveModel(candidate, asked);
          if (resolved?.entry === entry)
            wrong.push(`${candidate} (provider ${asked ?? "none"}) → ${provider}/${entry.id}`);
        }
      }
    }
    expect(invented).toBeGreaterThan(1000);
    expect(wrong).toEqual([]);
  });
});

// Keeps the helper honest: the inventions are the ones the issue names.
describe("nextVersions", () => {
  it.each([
    ["x-5", ["x-5-1", "x-5-5", "x-6", "x-9"]],
    [
      "gemini-2.5-flash",
      ["gemini-2.5.1-flash", "gemini-2.5.5-flash", "gemini-2.6-flash", "gemini-2.9-flash", "gemini-3-flash"],
    ],
    [
      "claude-sonnet-4-5-20250929",
      [
        "claude-sonnet-4-5-1-20250929",
        "claude-sonnet-4-5-5-20250929",
        "claude-sonnet-4-6-20250929",
        "claude-sonnet-4-9-20250929",
        "claude-sonnet-5-20250929",
      ],
    ],
  ])("%s → %j", (id, expected) => {
    expect(nextVersions(id)).toEqual(expected);
  });
});
