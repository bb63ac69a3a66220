// The alert deliveries of GET /v1/alerts: when, which budget and threshold, where, and how delivery went.
import { el } from "./dom.js";

const stateBadges = { delivered: "badge-info", pending: "badge-warn", failed: "badge-error" };

function what(alert) {
  if (alert.type === "budget.threshold") {
    const value = alert.value === undefined ? "" : ` (${alert.value ?? "none"})`;
    return `${alert.budget}${value} at ${alert.threshold} %`;
  }
  return alert.type;
}

function outcome(alert) {
  if (alert.state === "pending" && alert.nextAttemptAt)
    return `next try ${alert.nextAttemptAt.slice(11, 19)} UTC`;
  if (alert.lastStatus !== null) return `HTTP ${alert.lastStatus}`;
  return alert.lastError ?? "";
}

/** A table of deliveries, or a line saying there are none. */
export function alertList(alerts) {
  if (alerts.length === 0)
    return el("p", { className: "muted budget-empty", "data-testid": "alerts-empty" }, "No alerts sent yet.");
  const row = (alert) =>
    el(
      "tr",
      { "data-testid": "alert-row" },
      el("td", {}, alert.createdAt.slice(0, 16).replace("T", " ")),
      el("td", { className: "clip" }, what(alert)),
      el("td", {}, `${alert.target.kind} ${alert.target.host}`),
      el(
        "td",
        {},
        el(
          "span",
          { className: `badge ${stateBadges[alert.state] ?? ""}`, "data-testid": "alert-state" },
          alert.state,
        ),
      ),
      el("td", { className: "num" }, String(alert.attempts)),
      el("td", {}, outcome(alert)),
    );
  return el(
    "div",
    { className: "table-scroll" },
    el(
      "table",
      { className: "data-table", "data-testid": "alerts-table" },
      el("caption", { className: "visually-hidden" }, "Alert deliveries, newest first"),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Queued (UTC)", "Alert", "Target", "State", "Attempts", "Last answer"].map((name) =>
            el("th", { scope: "col" }, name),
          ),
        ),
      ),
      el("tbody", {}, alerts.map(row)),
    ),
  );
}
