// One call, opened from "Latest calls": every field the ledger keeps — the model id the application
// sent and the catalog's, each token bucket, our cost and the provider's, the trace and session — and
// the other calls of its session. A native <dialog>: Escape closes it and focus returns to the row.
import { fetchEvent, fetchEventCost, fetchEvents } from "./api.js";
import { costExplanationSection, costExplanationUnavailable } from "./cost-explanation.js";
import { el, replaceChildren } from "./dom.js";
import { formatExactCount, formatUsd } from "./format.js";

function field(label, value, testId) {
  if (value === null || value === undefined || value === "") return null;
  return [el("dt", {}, label), el("dd", { "data-testid": testId }, value)];
}

function tokens(event) {
  const buckets = [
    ["Input (uncached)", event.inputTokens],
    ["Cache reads", event.cacheReadTokens],
    ["Cache writes, 5 min", event.cacheWriteTokens],
    ["Cache writes, 1 h", event.cacheWrite1hTokens],
    ["Output", event.outputTokens],
    ["of which reasoning", event.reasoningTokens],
  ];
  // Audio and image tokens are apart from the text buckets above, shown when the call had any.
  for (const [label, count] of [
    ["Audio input", event.audioInputTokens],
    ["Audio output", event.audioOutputTokens],
    ["Image output", event.imageOutputTokens],
    ["Cache reads, audio", event.cacheReadAudioTokens],
  ]) {
    if (count) buckets.push([label, count]);
  }
  return buckets.map(([label, count]) => field(label, formatExactCount(count), `detail-tokens-${label}`));
}

function describeEvent(event) {
  return el(
    "dl",
    { className: "detail-list" },
    field("Time (UTC)", event.createdAt, "detail-time"),
    field("Event id", event.eventId, "detail-event-id"),
    field("Repo", event.repo, "detail-repo"),
    field("Task type", event.taskType, "detail-task-type"),
    field("Model (as sent)", event.model, "detail-model"),
    field("Priced as", event.resolvedModel ?? "not in the catalog (unpriced)", "detail-resolved-model"),
    field("Provider", event.provider, "detail-provider"),
    field("Integration", event.sdk, "detail-sdk"),
    tokens(event),
    field("Our cost", `${formatUsd(event.estimatedCostUsd)} (${event.estimatedCostUsd} USD)`, "detail-cost"),
    field(
      "Provider's cost",
      event.providerCostUsd === null ? null : `${event.providerCostUsd} USD`,
      "detail-provider-cost",
    ),
    field("Cost from", event.costSource, "detail-cost-source"),
    field("Catalog version", event.pricingVersion, "detail-pricing-version"),
    // Charges beyond tokens (issue #17): the tier that priced the call and the searches billed per unit.
    field("Service tier", event.serviceTier, "detail-service-tier"),
    field(
      "Web searches",
      event.webSearchRequests ? formatExactCount(event.webSearchRequests) : null,
      "detail-web-searches",
    ),
    field(
      "Duration",
      event.durationMs === null ? null : `${formatExactCount(event.durationMs)} ms`,
      "detail-duration",
    ),
    field(
      "Fallback",
      event.usedFallback ? `yes${event.fallbackReason ? ` (${event.fallbackReason})` : ""}` : null,
      "detail-fallback",
    ),
    field("Error", event.error, "detail-error"),
    field("User", event.userId, "detail-user"),
    field("Session", event.sessionId, "detail-session"),
    field("Trace", event.traceId, "detail-trace"),
    field("Span", event.spanId, "detail-span"),
    field("Environment", event.environment, "detail-environment"),
    field("Delivery id", event.deliveryId, "detail-delivery"),
    event.metadata
      ? [
          el("dt", {}, "Metadata"),
          el(
            "dd",
            {},
            el("pre", { "data-testid": "detail-metadata" }, JSON.stringify(event.metadata, null, 2)),
          ),
        ]
      : null,
  );
}

function sessionCalls(events, current, open) {
  const others = events.filter((event) => event.eventId !== current.eventId);
  if (others.length === 0) return el("p", { className: "muted" }, "No other calls in this session.");
  return el(
    "ul",
    { className: "detail-session-calls", "data-testid": "detail-session-calls" },
    others.map((event) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", className: "button-link", onClick: () => void open(event.eventId) },
          `${event.createdAt.slice(0, 19).replace("T", " ")} · ${event.model} · ${formatUsd(event.estimatedCostUsd)}`,
        ),
      ),
    ),
  );
}

/** The dialog; `open(eventId)` loads and shows one call. */
export function createEventDetail({ onError }) {
  const title = el("h2", { className: "card-title", id: "detail-title" }, "Call");
  const body = el("div", { className: "detail-body" });
  const close = el(
    "button",
    { type: "button", className: "button-link", "data-testid": "detail-close" },
    "Close",
  );
  const dialog = el(
    "dialog",
    { className: "card detail-dialog", "data-testid": "event-detail", "aria-labelledby": "detail-title" },
    el("header", { className: "card-header" }, title, close),
    body,
  );
  close.addEventListener("click", () => dialog.close());
  let shown = null;

  async function open(eventId) {
    shown = eventId;
    try {
      const event = await fetchEvent(eventId);
      if (shown !== eventId) return;
      title.textContent = `${event.model} · ${formatUsd(event.estimatedCostUsd)}`;
      const session = el("section", {}, el("h3", {}, "Other calls in this session"));
      const explanation = el("div", { className: "detail-explanation" });
      replaceChildren(body, describeEvent(event), explanation, event.sessionId ? session : null);
      if (!dialog.open) dialog.showModal();
      // The explanation loads beside the fields: a failure there leaves the rest of the detail.
      void fetchEventCost(eventId).then(
        (answer) => {
          if (shown === eventId) replaceChildren(explanation, costExplanationSection(answer));
        },
        (error) => {
          if (shown === eventId) replaceChildren(explanation, costExplanationUnavailable(error));
        },
      );
      if (event.sessionId) {
        const page = await fetchEvents({ filters: { sessionId: event.sessionId }, limit: 50 });
        if (shown === eventId) session.append(sessionCalls(page.events, event, open));
      }
    } catch (error) {
      onError(error);
    }
  }

  return { element: dialog, open };
}
