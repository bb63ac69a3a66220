// The calls behind the figures: the latest calls matching the range and filters, newest first, with
// "Show more" following the API's cursor.
import { fetchEvents } from "./api.js";
import { el, replaceChildren } from "./dom.js";
import { formatCompactCount, formatExactCount, formatUsd } from "./format.js";

const FIRST_PAGE = 10;
const NEXT_PAGE = 25;

const timeFormat = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

/** 850 ms, 12.3 s, 2 min 5 s. */
function formatLatency(milliseconds) {
  if (milliseconds < 1_000) return `${milliseconds} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1_000).toFixed(1)} s`;
  const seconds = Math.round(milliseconds / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function statusBadges(event) {
  const badges = [];
  if (event.error) badges.push(el("span", { className: "badge badge-error", title: event.error }, "error"));
  if (event.usedFallback) {
    badges.push(el("span", { className: "badge badge-info", title: event.fallbackReason ?? "" }, "fallback"));
  }
  if (!event.priced) badges.push(el("span", { className: "badge badge-warn" }, "unpriced"));
  return badges.length > 0 ? badges : el("span", { className: "muted" }, "ok");
}

function eventRow(event, open) {
  // Fresh input apart from cache reads (billed at a fraction); cache writes count as input here.
  const fresh = String(
    BigInt(event.inputTokens) + BigInt(event.cacheWriteTokens) + BigInt(event.cacheWrite1hTokens),
  );
  const openThis = () => open(event.eventId);
  return el(
    "tr",
    {
      "data-event-id": event.eventId,
      className: "clickable",
      tabindex: 0,
      title: "Open this call",
      onClick: openThis,
      onKeydown: (keyEvent) => {
        if (keyEvent.key === "Enter" || keyEvent.key === " ") {
          keyEvent.preventDefault();
          openThis();
        }
      },
    },
    el("td", { className: "muted", title: event.createdAt }, timeFormat.format(new Date(event.createdAt))),
    el("td", {}, event.repo),
    el("td", {}, event.taskType),
    el("td", { className: "clip", title: event.model }, event.model),
    el("td", {}, event.provider),
    el(
      "td",
      { className: "num", title: `${formatExactCount(fresh)} input tokens, cache writes included` },
      formatCompactCount(fresh),
    ),
    el(
      "td",
      { className: "num", title: `${formatExactCount(event.cacheReadTokens)} cache-read tokens` },
      formatCompactCount(event.cacheReadTokens),
    ),
    el(
      "td",
      { className: "num", title: `${formatExactCount(event.outputTokens)} out` },
      formatCompactCount(event.outputTokens),
    ),
    el("td", { className: "num muted" }, event.durationMs === null ? "–" : formatLatency(event.durationMs)),
    el(
      "td",
      { className: "num strong", title: `${event.estimatedCostUsd} USD` },
      formatUsd(event.providerCostUsd ?? event.estimatedCostUsd),
    ),
    el("td", { className: "status" }, statusBadges(event)),
  );
}

/**
 * Creates the card; `load(query)` shows the first page for a range and filters; a row opens its call
 * through `onOpen(eventId)` (click, Enter or Space); `header` holds extra controls (the CSV button).
 */
export function createRecentCalls({ onError, onOpen = () => {}, header = [] }) {
  const body = el("tbody");
  const more = el(
    "button",
    { type: "button", className: "button-link", "data-testid": "recent-more" },
    "Show more",
  );
  const foot = el("div", { className: "table-foot" }, more);
  const element = el(
    "section",
    { className: "card table-card", "data-testid": "recent-calls" },
    el(
      "header",
      { className: "card-header" },
      el(
        "div",
        {},
        el("h2", { className: "card-title" }, "Latest calls"),
        el("span", { className: "card-subtitle" }, "The calls behind the figures, newest first"),
      ),
      el("div", { className: "card-actions" }, header),
    ),
    el(
      "div",
      { className: "table-scroll" },
      el(
        "table",
        { className: "data-table recent-table", "data-testid": "table-recent" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ["Time (UTC)", "Repo", "Task type"].map((label) => el("th", { scope: "col" }, label)),
            el("th", { scope: "col", className: "grow" }, "Model"),
            el("th", { scope: "col" }, "Provider"),
            ["Input", "Cached", "Output", "Latency", "Cost"].map((label) =>
              el("th", { scope: "col", className: "num" }, label),
            ),
            el("th", { scope: "col" }, "Status"),
          ),
        ),
        body,
      ),
    ),
    foot,
  );
  let query;
  let cursor = null;
  let loaded = 0;

  async function page(first) {
    const current = query;
    more.disabled = true;
    try {
      const answer = await fetchEvents({
        ...current,
        limit: first ? FIRST_PAGE : NEXT_PAGE,
        cursor: first ? null : cursor,
      });
      if (current !== query) return;
      if (first) replaceChildren(body);
      body.append(...answer.events.map((event) => eventRow(event, onOpen)));
      loaded = first ? answer.events.length : loaded + answer.events.length;
      if (loaded === 0) {
        replaceChildren(
          body,
          el("tr", {}, el("td", { className: "empty-cell", colspan: 11 }, "No calls in this range.")),
        );
      }
      cursor = answer.nextCursor;
      foot.hidden = !cursor;
    } catch (error) {
      if (current === query) onError(error);
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener("click", () => void page(false));
  return {
    element,
    /** Shows the newest calls for `{ from, to, filters }`. */
    load(next) {
      query = { ...next };
      return page(true);
    },
  };
}
