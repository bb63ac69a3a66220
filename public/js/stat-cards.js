// The overview's key figures: spend today, last 7 and 30 days (each against the period before) and
// the fallback rate over the selected range.
import { el } from "./dom.js";
import { describeChange, formatExactCount, formatRate, formatUsd } from "./format.js";

const arrows = { up: "▲", down: "▼", flat: "■", new: "●", none: "" };

/**
 * A spend card. A rise in spend is shown in the warning color, a fall in the calm one.
 * @param {{ id: string, label: string, comparedWith: string }} window
 * @param {{ totals: object }} current
 * @param {{ totals: object }} previous
 */
export function spendCard(window, current, previous) {
  const change = describeChange(current.totals.costUsd, previous.totals.costUsd);
  return el(
    "article",
    { className: "card stat", "data-testid": `spend-${window.id}` },
    el("h2", { className: "stat-label" }, window.label),
    el(
      "p",
      {
        className: "stat-value",
        "data-testid": `spend-${window.id}-value`,
        title: `${current.totals.costUsd} USD`,
      },
      formatUsd(current.totals.costUsd),
    ),
    el(
      "p",
      { className: "stat-foot" },
      el(
        "span",
        {
          className: `delta delta-${change.direction}`,
          "data-testid": `spend-${window.id}-change`,
          title: `before: ${formatUsd(previous.totals.costUsd)}`,
        },
        arrows[change.direction] ? `${arrows[change.direction]} ${change.text}` : change.text,
      ),
      el("span", { className: "muted" }, window.comparedWith),
    ),
    el("p", { className: "stat-meta muted" }, `${formatExactCount(current.totals.events)} calls`),
  );
}

/**
 * The fallback rate card: fallbacks / events over the range (and the error rate beside it).
 * `rangePhrase` says the range: "last 30 days", "Nov 1, 2026 – Nov 15, 2026".
 */
export function fallbackCard(totals, rangePhrase) {
  const rate = formatRate(totals.fallbacks, totals.events);
  return el(
    "article",
    { className: "card stat", "data-testid": "fallback" },
    el("h2", { className: "stat-label" }, "Fallback rate"),
    el("p", { className: "stat-value", "data-testid": "fallback-rate" }, rate),
    el(
      "p",
      { className: "stat-foot" },
      el(
        "span",
        { className: "muted" },
        `${formatExactCount(totals.fallbacks)} of ${formatExactCount(totals.events)} calls, ${rangePhrase}`,
      ),
    ),
    el(
      "p",
      { className: "stat-meta muted", "data-testid": "error-rate" },
      `Errors: ${formatRate(totals.errors, totals.events)} (${formatExactCount(totals.errors)})`,
    ),
  );
}

/** Grey placeholders with the cards' shape while the first figures load. */
export function placeholderCards(count) {
  return Array.from({ length: count }, () =>
    el(
      "article",
      { className: "card stat is-loading", "aria-hidden": "true" },
      el("div", { className: "skeleton" }),
    ),
  );
}
