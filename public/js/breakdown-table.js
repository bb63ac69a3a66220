// A breakdown table (by repo, task type, model, provider, user, …): spend, share, calls, tokens and
// fallbacks per value, sortable by clicking a column header (buttons: Tab, Enter and Space work); a
// value's name filters the dashboard to it; "CSV" downloads the table's report.
import { el, replaceChildren } from "./dom.js";
import { addDecimals, compareDecimals } from "./decimal.js";
import { formatCompactCount, formatExactCount, formatRate, formatUsd } from "./format.js";

const ROWS_SHOWN = 10;

/** Every token a row was billed for (reasoning tokens are already inside output tokens). */
export function totalTokens(row) {
  return addDecimals([
    row.inputTokens,
    row.outputTokens,
    row.cacheReadTokens,
    row.cacheWriteTokens,
    row.cacheWrite1hTokens,
  ]);
}

const columns = [
  { key: "name", label: "Name", numeric: false, sortable: true },
  { key: "costUsd", label: "Spend", numeric: true, sortable: true },
  { key: "share", label: "Share", numeric: true, sortable: false },
  { key: "events", label: "Calls", numeric: true, sortable: true },
  { key: "tokens", label: "Tokens", numeric: true, sortable: true },
  { key: "fallbacks", label: "Fallbacks", numeric: true, sortable: true },
];

const compareBy = {
  name: (left, right) => left.name.localeCompare(right.name),
  costUsd: (left, right) => compareDecimals(left.costUsd, right.costUsd),
  events: (left, right) => left.events - right.events,
  tokens: (left, right) => compareDecimals(left.tokens, right.tokens),
  fallbacks: (left, right) => left.fallbacks - right.fallbacks,
};

/**
 * Creates a breakdown table card. `update(report)` fills it; clicking a header sorts (again: the other
 * way); `onPick(value)` is called when a name is clicked; `header` holds extra controls (the CSV button).
 * @param {{ dimension: string, title: string, noun: string, onPick: (value: string) => void, header?: Node[] }} options
 */
export function createBreakdownTable({ dimension, title, noun, onPick, header = [] }) {
  let sort = { key: "costUsd", direction: "desc" };
  let rows = [];
  let grandTotal = "0";
  let expanded = false;

  const head = el("thead");
  const body = el("tbody");
  const foot = el("div", { className: "table-foot" });
  const count = el("span", { className: "card-subtitle" });
  const heading = el("h2", { className: "card-title" }, title);
  const card = el(
    "section",
    { className: "card table-card", "data-testid": `breakdown-${dimension}` },
    el(
      "header",
      { className: "card-header" },
      el("div", {}, heading, count),
      el("div", { className: "card-actions" }, header),
    ),
    el(
      "div",
      { className: "table-scroll" },
      el(
        "table",
        { className: "data-table breakdown-table", "data-testid": `table-${dimension}` },
        head,
        body,
      ),
    ),
    foot,
  );

  function renderHead() {
    replaceChildren(
      head,
      el(
        "tr",
        {},
        columns.map((column) => {
          const active = sort.key === column.key;
          const ariaSort = active
            ? sort.direction === "asc"
              ? "ascending"
              : "descending"
            : column.sortable
              ? "none"
              : undefined;
          const label = column.sortable
            ? el(
                "button",
                {
                  type: "button",
                  className: `sort-button${active ? " is-active" : ""}`,
                  "data-sort": column.key,
                  onClick: () => sortBy(column.key),
                },
                column.label,
                el(
                  "span",
                  { className: "sort-arrow", "aria-hidden": "true" },
                  active ? (sort.direction === "asc" ? "↑" : "↓") : "↕",
                ),
              )
            : column.label;
          return el(
            "th",
            {
              scope: "col",
              className: column.numeric ? "num" : "",
              "aria-sort": ariaSort,
            },
            label,
          );
        }),
      ),
    );
  }

  function renderBody() {
    const ordered = [...rows].sort((left, right) => {
      const order = compareBy[sort.key](left, right);
      return (sort.direction === "asc" ? order : -order) || compareBy.name(left, right);
    });
    const visible = expanded ? ordered : ordered.slice(0, ROWS_SHOWN);
    if (ordered.length === 0) {
      replaceChildren(
        body,
        el(
          "tr",
          {},
          el("td", { className: "empty-cell", colspan: columns.length }, "No calls in this range."),
        ),
      );
    } else {
      replaceChildren(
        body,
        visible.map((row) => renderRow(row)),
      );
    }
    replaceChildren(
      foot,
      ordered.length > ROWS_SHOWN
        ? el(
            "button",
            {
              type: "button",
              className: "button-link",
              onClick: () => ((expanded = !expanded), renderBody()),
            },
            expanded ? "Show top 10" : `Show all ${ordered.length}`,
          )
        : null,
    );
  }

  function renderRow(row) {
    const share = Number(grandTotal) > 0 ? Number(row.costUsd) / Number(grandTotal) : 0;
    const bar = el("span", { className: "share-bar-fill" });
    bar.style.width = `${Math.max(share * 100, share > 0 ? 1 : 0).toFixed(1)}%`;
    return el(
      "tr",
      { "data-key": row.name },
      el(
        "th",
        { scope: "row", className: "name-cell" },
        el(
          "div",
          { className: "name-wrap" },
          el("span", { className: "share-bar", "aria-hidden": "true" }, bar),
          row.value === null
            ? el("span", { className: "muted" }, "(none)")
            : el(
                "button",
                {
                  type: "button",
                  className: "name-button",
                  title: `${row.name}: show only this ${noun}`,
                  onClick: () => onPick(row.value),
                },
                row.name,
              ),
          dimension === "model" && row.unpriced > 0
            ? el(
                "span",
                { className: "badge badge-warn", title: `${row.unpriced} calls without a price` },
                "unpriced",
              )
            : null,
        ),
      ),
      el(
        "td",
        { className: "num strong", "data-column": "costUsd", title: `${row.costUsd} USD` },
        formatUsd(row.costUsd),
      ),
      el("td", { className: "num muted", "data-column": "share" }, formatRate(share, 1)),
      el(
        "td",
        { className: "num", "data-column": "events", title: formatExactCount(row.events) },
        formatExactCount(row.events),
      ),
      el(
        "td",
        { className: "num", "data-column": "tokens", title: `${formatExactCount(row.tokens)} tokens` },
        formatCompactCount(row.tokens),
      ),
      el(
        "td",
        { className: "num", "data-column": "fallbacks" },
        row.fallbacks > 0 ? formatExactCount(row.fallbacks) : el("span", { className: "muted" }, "0"),
      ),
    );
  }

  function sortBy(key) {
    sort =
      sort.key === key
        ? { key, direction: sort.direction === "asc" ? "desc" : "asc" }
        : { key, direction: key === "name" ? "asc" : "desc" };
    // The header is redrawn: keep the keyboard's focus on the button that sorted.
    const hadFocus = head.contains(document.activeElement);
    renderHead();
    if (hadFocus) head.querySelector(`button[data-sort="${key}"]`)?.focus();
    renderBody();
  }

  renderHead();
  return {
    element: card,
    /** Fills the table from a `groupBy=<dimension>` report; `as` changes the dimension (metadata keys). */
    update(report, as) {
      if (as) {
        dimension = as.dimension;
        heading.textContent = as.title;
      }
      grandTotal = report.totals.costUsd;
      rows = report.rows.map((row) => ({
        ...row,
        value: row[dimension] ?? null,
        name: row[dimension] ?? "(none)",
        tokens: totalTokens(row),
      }));
      count.textContent = `${rows.length} ${rows.length === 1 ? "value" : "values"} · ${formatUsd(report.totals.costUsd)}`;
      renderBody();
    },
  };
}
