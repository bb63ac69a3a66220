// "Why this cost", in a call's detail: the explanation the service keeps for the event
// (GET /v1/events/{id}/cost) — the catalog entry and how the id matched it, each bucket's
// tokens × rate = amount, a negotiated discount, the total beside the stored figure and the provider's, and what the
// catalog would charge today. Rendered from the rates kept with the event, never recomputed here.
import { el } from "./dom.js";
import { formatExactCount } from "./format.js";

const BUCKET_LABELS = {
  input: "Input (uncached)",
  output: "Output",
  cache_read: "Cache reads",
  cache_write: "Cache writes, 5 min",
  cache_write_1h: "Cache writes, 1 h",
  audio_input: "Audio input",
  audio_output: "Audio output",
  image_output: "Image output",
  cache_read_audio: "Cache reads, audio",
};

// Only a web address becomes a link: an overrides file may hold any text as its source.
function sourceOf(source) {
  if (!source) return "no source given";
  if (!/^https?:\/\//i.test(source)) return source;
  return el("a", { href: source, target: "_blank", rel: "noopener noreferrer" }, source);
}

function perLabel(per) {
  return per === 1_000_000 ? " per M" : per === 1 ? " each" : ` per ${formatExactCount(per)}`;
}

function linesTable(lines) {
  const rows = lines.map((line) =>
    el(
      "tr",
      { "data-testid": `explain-line-${line.bucket}` },
      el("td", {}, BUCKET_LABELS[line.bucket] ?? line.bucket),
      el("td", { className: "num" }, formatExactCount(line.units)),
      el("td", { className: "num" }, `$${line.price}${perLabel(line.per)}`),
      el("td", { className: "num" }, `$${line.amountUsd}`),
      el(
        "td",
        { className: "muted" },
        [line.billedAs ? `no price of its own: billed as ${line.billedAs}` : "", line.rule ?? ""]
          .filter(Boolean)
          .join("; "),
      ),
    ),
  );
  return el(
    "table",
    { className: "data-table explain-lines" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ["Bucket", "Units", "Rate", "Amount", ""].map((header) => el("th", {}, header)),
      ),
    ),
    el("tbody", {}, rows),
  );
}

function entryFacts(explanation) {
  const { catalog } = explanation;
  if (!catalog) return null;
  const provenance = catalog.imported
    ? `imported from ${catalog.imported.package} ${catalog.imported.version} (${catalog.imported.published})`
    : catalog.checked
      ? `checked ${catalog.checked}`
      : "not compared with its source";
  const fact = (label, value, testId) => [el("dt", {}, label), el("dd", { "data-testid": testId }, value)];
  return el(
    "dl",
    { className: "detail-list" },
    fact(
      "Catalog entry",
      `${catalog.entry} (${catalog.provider}${catalog.override ? ", your override" : ""})`,
      "explain-entry",
    ),
    fact("Matched", `“${catalog.matchedSpelling}” by ${catalog.matchedBy.join(", ")}`, "explain-matched"),
    fact(
      "Prices",
      // A time-of-day window (DeepSeek's peak hours) is named: its prices are the lines below.
      `catalog ${catalog.version}, from ${explanation.periodFrom ?? "the first known price"}, tier ${explanation.tier}${
        explanation.timeOfDay ? `; window ${explanation.timeOfDay}` : ""
      }`,
      "explain-prices",
    ),
    fact("Source", [sourceOf(catalog.source), ` (${provenance})`], "explain-source"),
  );
}

function totals(explanation) {
  const lines = [];
  if (explanation.catalogTotalUsd !== null) lines.push(`Catalog total: $${explanation.catalogTotalUsd}`);
  const { discount } = explanation;
  if (discount) {
    // The rule as the overrides file wrote it: shown as text, never as markup.
    const scope = [
      discount.provider,
      discount.model === null ? "" : `models ${discount.model}`,
      discount.project === null ? "" : `project ${discount.project}`,
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(`Negotiated discount ${discount.percent}% (${scope}): −$${discount.amountUsd}`);
    lines.push(`Charged: $${explanation.totalUsd}`);
  }
  let stored = `Stored cost: $${explanation.storedCostUsd}`;
  if (explanation.addsUp === true) stored += " — the lines add up to it exactly";
  if (explanation.addsUp === false) stored += " — does NOT equal the explained total";
  lines.push(stored);
  lines.push(
    explanation.providerCostUsd === null
      ? "Provider's figure: not reported"
      : `Provider's figure: $${explanation.providerCostUsd}`,
  );
  const { today } = explanation;
  if (today) {
    lines.push(
      today.priced
        ? `Today (catalog ${today.pricingVersion}): $${today.costUsd}`
        : `Today: not priced (${today.reason ?? "no price"})`,
    );
  }
  return el(
    "ul",
    { className: "explain-totals", "data-testid": "explain-totals" },
    lines.map((line) => el("li", {}, line)),
  );
}

/** The explanation as a section of the detail dialog. */
export function costExplanationSection(explanation) {
  const lines = [...explanation.buckets, ...explanation.fees].filter((line) => line.units > 0);
  return el(
    "section",
    { "data-testid": "explain-cost", "data-basis": explanation.basis },
    el("h3", {}, "Why this cost"),
    el("p", { "data-testid": "explain-summary" }, explanation.summary),
    entryFacts(explanation),
    lines.length > 0 ? linesTable(lines) : null,
    totals(explanation),
  );
}

/** The section shown when the explanation could not be loaded: the rest of the detail stays. */
export function costExplanationUnavailable(error) {
  return el(
    "section",
    { "data-testid": "explain-cost", "data-basis": "unavailable" },
    el("h3", {}, "Why this cost"),
    el("p", { className: "muted" }, `The explanation could not be loaded: ${error.message ?? String(error)}`),
  );
}
