import { describe, expect, it } from "vitest";
import type { ModelEntry, Provider, ProviderFile } from "../../src/pricing/index.js";
import { applyCorrections, type Corrections } from "../../scripts/pricing-corrections.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";

// corrections.json can take a pattern off an imported entry (Vertex's `claude-4-opus` claimed
// `claude-opus-4-1`) or add one (the sizes Gemma 3's free row covers), without editing imported files.

const price = [{ input: "15", output: "75" }];

function vertexFile(): Map<Provider, ProviderFile> {
  const opus4: ModelEntry = {
    id: "claude-4-opus",
    patterns: ["claude-4-opus", "claude-opus-4@", "claude-opus-4-1"],
    prices: price,
  };
  const file: ProviderFile = {
    provider: "google-vertex",
    name: "Vertex",
    source: "https://cloud.google.com/vertex-ai/generative-ai/pricing",
    models: [opus4],
  };
  return new Map<Provider, ProviderFile>([["google-vertex", file]]);
}

function corrections(patterns: Corrections["patterns"]): Corrections {
  return { rules: [], corrections: [], aliases: [], providers: [], additions: [], patterns };
}

const takeOff = {
  provider: "google-vertex" as const,
  model: "claude-4-opus",
  remove: ["claude-opus-4-1"],
  reason: "Opus 4.1 is another model",
  source: "https://platform.claude.com/docs/en/build-with-claude/claude-on-vertex-ai",
};

describe("pattern corrections", () => {
  it("removes and adds patterns of an imported entry and says so", () => {
    const files = vertexFile();
    const { applied } = applyCorrections(files, corrections([{ ...takeOff, add: ["claude-opus-4-0"] }]));
    expect(files.get("google-vertex")?.models[0]?.patterns).toEqual([
      "claude-4-opus",
      "claude-opus-4@",
      "claude-opus-4-0",
    ]);
    expect(applied).toEqual([
      "google-vertex/claude-4-opus: pattern claude-opus-4-1 removed (Opus 4.1 is another model)",
      "google-vertex/claude-4-opus: pattern claude-opus-4-0 added (Opus 4.1 is another model)",
    ]);
  });

  it("drops the field when no pattern is left, and adds a pattern only once", () => {
    const files = vertexFile();
    applyCorrections(
      files,
      corrections([{ ...takeOff, remove: ["claude-4-opus", "claude-opus-4@", "claude-opus-4-1"] }]),
    );
    expect(files.get("google-vertex")?.models[0]).not.toHaveProperty("patterns");
    const again = vertexFile();
    const { applied } = applyCorrections(
      again,
      corrections([{ ...takeOff, remove: [], add: ["claude-4-opus"] }]),
    );
    expect(again.get("google-vertex")?.models[0]?.patterns).toHaveLength(3);
    expect(applied).toEqual([]);
  });

  it("refuses a stale removal or an unknown entry, naming it, and leaves the entry as imported", () => {
    const files = vertexFile();
    expect(() => applyCorrections(files, corrections([{ ...takeOff, remove: ["claude-opus-4-5"] }]))).toThrow(
      'corrections.json: google-vertex/claude-4-opus has no pattern "claude-opus-4-5"',
    );
    expect(files.get("google-vertex")?.models[0]?.patterns).toHaveLength(3);
    expect(() =>
      applyCorrections(vertexFile(), corrections([{ ...takeOff, model: "claude-9-opus" }])),
    ).toThrow("google-vertex/claude-9-opus is not in the imported data");
  });

  it("refuses hostile text as a pattern to remove", () => {
    const random = seededRandom(17);
    for (const hostile of hostileValues(random, 50)) {
      const files = vertexFile();
      expect(() => applyCorrections(files, corrections([{ ...takeOff, remove: [hostile] }]))).toThrow(
        /has no pattern/,
      );
      expect(files.get("google-vertex")?.models[0]?.patterns).toHaveLength(3);
    }
  });
});
