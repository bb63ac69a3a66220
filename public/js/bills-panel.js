// "Estimated vs billed", for admins: the ledger's estimate beside the providers' imported bills per
// UTC day (GET /v1/reconciliation), the gap shaded, and the days that drift most, each linking to the
// calls behind it. A bill is the organization's, so the panel shows only to a session signed in with an
// admin key of every project; it follows the range, not the filters (a bill has no repo or user).
import { ApiError, fetchReconciliation, fetchSession } from "./api.js";
import { billsChartData, drawBillsChart } from "./bills-chart.js";
import { compareDecimals } from "./decimal.js";
import { el, replaceChildren } from "./dom.js";
import { formatExactCount, formatUsd } from "./format.js";
import { dayOf } from "./periods.js";

const WORST_SHOWN = 5;

/** Whether a session may see the organization's bills: the admin scope and every project. */
export function seesBills(session) {
  return Array.isArray(session?.scopes) && session.scopes.includes("admin") && session.project === null;
}

const magnitude = (text) => (text.startsWith("-") ? text.slice(1) : text);
const percentText = (percent) => (percent === null ? "—" : `${percent}%`);

/** The dashboard's address showing the calls of one provider on one UTC day. */
export function eventsLink(day, provider) {
  return `/?${new URLSearchParams({ from: day, to: day, provider }).toString()}`;
}

function worstRow(row) {
  const note =
    row.marker === "bill-without-events"
      ? "no calls in the ledger"
      : row.marker === "events-without-bill"
        ? "not billed"
        : null;
  return el(
    "tr",
    { "data-testid": "bills-worst-row", "data-day": row.day, "data-provider": row.provider },
    el("td", {}, row.day),
    el("td", {}, row.provider),
    el("td", { className: "num", "data-column": "estimatedUsd" }, formatUsd(row.estimatedUsd)),
    el("td", { className: "num", "data-column": "billedUsd" }, formatUsd(row.billedUsd ?? "0")),
    el("td", { className: "num strong", "data-column": "differenceUsd" }, formatUsd(row.differenceUsd)),
    el("td", { className: "num", "data-column": "differencePercent" }, percentText(row.differencePercent)),
    el(
      "td",
      {},
      row.events > 0
        ? el(
            "a",
            { href: eventsLink(row.day, row.provider), "data-testid": "bills-worst-link" },
            `${formatExactCount(row.events)} ${row.events === 1 ? "call" : "calls"}`,
          )
        : el("span", { className: "muted" }, note),
    ),
  );
}

/**
 * Creates the panel (hidden until `load` finds an admin session). `load(range)` fetches the session
 * and the reconciliation of the range; a 403 (no longer an admin) hides it, other failures go to `onError`.
 * @param {{ onError: (error: unknown) => void }} options
 */
export function createBillsPanel({ onError }) {
  const canvas = el("canvas", { "aria-label": "Estimated and billed spend per day", role: "img" });
  const summary = el("p", { className: "card-subtitle", "data-testid": "bills-summary" });
  const notes = el("div", { className: "bills-notes", "data-testid": "bills-notes" });
  const worstBody = el("tbody");
  const element = el(
    "section",
    { className: "card", "data-testid": "bills-panel", hidden: true, "aria-labelledby": "bills-title" },
    el(
      "header",
      { className: "card-header" },
      el("div", {}, el("h2", { className: "card-title", id: "bills-title" }, "Estimated vs billed"), summary),
    ),
    el("div", { className: "chart-box" }, canvas),
    notes,
    el(
      "div",
      { className: "table-scroll" },
      el(
        "table",
        { className: "data-table", "data-testid": "bills-worst" },
        el("caption", { className: "bills-caption" }, "Days that drift most, by provider"),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ["Day", "Provider", "Estimated", "Billed", "Difference", "%", "Calls"].map((label, index) =>
              el("th", { scope: "col", className: index >= 2 && index <= 5 ? "num" : undefined }, label),
            ),
          ),
        ),
        worstBody,
      ),
    ),
  );
  let chart;
  let loads = 0;

  function render(report, range) {
    const { totals } = report;
    replaceChildren(
      summary,
      `Estimated ${formatUsd(totals.estimatedUsd)} · billed ${formatUsd(totals.billedUsd)} · difference `,
      el("span", { "data-testid": "bills-difference" }, formatUsd(totals.differenceUsd)),
      ` (${percentText(totals.differencePercent)}), ${dayOf(range.from)} to ${dayOf(new Date(range.to.getTime() - 1))} UTC`,
    );
    const messages = ["Shaded red where the bill is above the estimate, amber where it is below."];
    if (report.billedProviders.length === 0) {
      messages.push("No bill is imported for these days: run llm-ledger bills import (docs/bills.md).");
    }
    for (const missing of report.missingBills) {
      messages.push(`${missing.provider}: ${formatUsd(missing.estimatedUsd)} estimated, no bill imported.`);
    }
    for (const other of report.unconverted) {
      messages.push(`${other.amount} ${other.currency} billed, not compared (no rate).`);
    }
    replaceChildren(
      notes,
      messages.map((text) => el("p", { className: "muted" }, text)),
    );
    const worst = report.rows
      .filter((row) => compareDecimals(row.differenceUsd, "0") !== 0)
      .sort((left, right) => compareDecimals(magnitude(right.differenceUsd), magnitude(left.differenceUsd)))
      .slice(0, WORST_SHOWN);
    replaceChildren(
      worstBody,
      worst.length > 0
        ? worst.map(worstRow)
        : el("tr", {}, el("td", { className: "empty-cell", colspan: 7 }, "No difference on any day.")),
    );
    chart = drawBillsChart(canvas, billsChartData(report, range), chart);
  }

  async function load(range) {
    const current = ++loads;
    try {
      const session = await fetchSession();
      if (current !== loads) return;
      if (!seesBills(session)) {
        element.hidden = true;
        return;
      }
      const report = await fetchReconciliation(range);
      if (current !== loads) return;
      element.hidden = false;
      render(report, range);
    } catch (error) {
      if (current !== loads) return;
      element.hidden = true;
      if (!(error instanceof ApiError && error.status === 403)) onError(error);
    }
  }

  return { element, load };
}
