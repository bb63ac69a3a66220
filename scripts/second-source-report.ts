// The dated comparison report the refresh writes with --report FILE (docs/second-source-report.md):
// counts per source provider, then the disagreements worth a human look (ours not dated after the
// source's publish date) apart from those where ours is newer, all listed with both values.
import type { Provider } from "../src/pricing/index.js";
import { describeDisagreement, type Disagreement, type SourceComparison } from "./second-source.js";
import type { TokenlensAdaptation } from "./tokenlens-source.js";

/** What the report is made of. */
export interface ReportInput {
  /** The catalog date the comparison used (YYYY-MM-DD). */
  date: string;
  /** How our side is named (`@pydantic/genai-prices 0.1.8 + corrections`). */
  ours: string;
  adaptation: TokenlensAdaptation;
  comparison: SourceComparison;
}

interface Counts {
  compared: number;
  agree: number;
  oursNewer: number;
  worthALook: number;
  unmatched: number;
}

const key = (provider: Provider, model: string, sourceId: string | undefined) =>
  `${provider}\u0000${model}\u0000${sourceId ?? ""}`;

// The provider as the source names it: the part of its id before the first slash.
const sourceProviderOf = (sourceId: string | undefined, fallback: string) =>
  sourceId?.split("/")[0] ?? fallback;

function countPerProvider({ adaptation, comparison }: ReportInput): Map<string, Counts> {
  const byModel = new Map<string, Disagreement[]>();
  for (const disagreement of comparison.disagreements) {
    const id = key(disagreement.provider, disagreement.model, disagreement.sourceId);
    byModel.set(id, [...(byModel.get(id) ?? []), disagreement]);
  }
  const counts = new Map<string, Counts>();
  const countsOf = (provider: string) => {
    let entry = counts.get(provider);
    if (!entry) {
      entry = { compared: 0, agree: 0, oursNewer: 0, worthALook: 0, unmatched: 0 };
      counts.set(provider, entry);
    }
    return entry;
  };
  for (const { provider, model, sourceId } of adaptation.source.models) {
    const entry = countsOf(sourceProviderOf(sourceId, provider));
    entry.compared += 1;
    const found = byModel.get(key(provider, model, sourceId));
    if (!found) entry.agree += 1;
    else if (found.every((disagreement) => disagreement.oursIsNewer)) entry.oursNewer += 1;
    else entry.worthALook += 1;
  }
  for (const { sourceProvider } of adaptation.unmatched) countsOf(sourceProvider).unmatched += 1;
  return counts;
}

function list(title: string, lines: string[]): string[] {
  return [
    `## ${title} (${lines.length})`,
    "",
    ...(lines.length ? lines.map((line) => `- ${line}`) : ["None."]),
    "",
  ];
}

/** Renders the report as Markdown. */
export function renderSecondSourceReport(input: ReportInput): string {
  const { date, ours, adaptation, comparison } = input;
  const theirs = adaptation.source.source;
  const rows = [...countPerProvider(input).entries()].sort(([a], [b]) => a.localeCompare(b));
  const describe = (disagreement: Disagreement) => describeDisagreement(disagreement, "ours", "theirs");
  const worth = comparison.disagreements.filter((disagreement) => !disagreement.oursIsNewer);
  const newer = comparison.disagreements.filter((disagreement) => disagreement.oursIsNewer);
  return [
    `# Second-source comparison, ${date}`,
    "",
    "Written by `node --import tsx scripts/refresh-pricing.ts --dry-run --report FILE`.",
    `Our catalog (${ours}) compared with ${theirs}.`,
    "The catalog keeps its own values: nothing here changed it.",
    "",
    `The source was published on ${adaptation.source.published ?? "an unknown date"}. Where our price is dated later`,
    "(its period starts later, or the entry was checked against the provider's page later), a",
    'disagreement is labelled "ours is newer"; the others are worth a human look. Prices are dollars',
    "per million tokens; a model is counted once for each spelling the source lists.",
    "",
    "| Source provider | Compared | Agree | Differ, ours is newer | Differ, worth a look | Not in our catalog |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      ([provider, c]) =>
        `| ${provider} | ${c.compared} | ${c.agree} | ${c.oursNewer} | ${c.worthALook} | ${c.unmatched} |`,
    ),
    "",
    ...list("Disagreements worth a human look (ours not dated after the source)", worth.map(describe)),
    ...list("Disagreements where ours is newer (listed, likely stale in the source)", newer.map(describe)),
    ...list("Priced by the source, no price of ours in force", comparison.onlyTheirs),
    ...list(
      "Not found by our resolver",
      adaptation.unmatched.map(({ line }) => line),
    ),
    ...list("Source entries that could not be read", adaptation.skipped),
    ...list("Source providers we do not price (not compared)", adaptation.otherProviders),
  ].join("\n");
}
