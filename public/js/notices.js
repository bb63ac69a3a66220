// The two notices: the warning about calls whose model has no price (counted as $0 until priced) and,
// on an empty database, how to send the first events.
import { el } from "./dom.js";
import { formatExactCount } from "./format.js";

/**
 * The unpriced-models warning from a `groupBy=model,provider&priced=false` report, or null when every
 * call in range has a price.
 */
export function unpricedWarning(report) {
  const rows = report.rows
    .filter((row) => row.unpriced > 0)
    .sort((left, right) => right.unpriced - left.unpriced);
  if (rows.length === 0) return null;
  const calls = rows.reduce((sum, row) => sum + row.unpriced, 0);
  // One model per line: short enough to read, valid JSON to copy.
  const example = [
    "{",
    '  "models": [',
    rows
      .slice(0, 3)
      .map(
        (row) =>
          `    { "id": ${JSON.stringify(row.model)}, "provider": ${JSON.stringify(row.provider ?? "openai")}, "prices": [{ "input": "0.30", "output": "1.20" }] }`,
      )
      .join(",\n"),
    "  ]",
    "}",
  ].join("\n");
  return el(
    "section",
    { className: "notice notice-warn", role: "alert", "data-testid": "unpriced-warning" },
    el("div", { className: "notice-icon", "aria-hidden": "true" }, "!"),
    el(
      "div",
      { className: "notice-body" },
      el(
        "h2",
        { className: "notice-title" },
        `${formatExactCount(calls)} ${calls === 1 ? "call has" : "calls have"} no price: their spend counts as $0`,
      ),
      el(
        "ul",
        { className: "chip-list", "data-testid": "unpriced-models" },
        rows.map((row) =>
          el(
            "li",
            { className: "chip" },
            el("code", {}, row.model),
            el(
              "span",
              { className: "chip-meta" },
              `${row.provider ?? "unknown"} · ${formatExactCount(row.unpriced)} calls`,
            ),
          ),
        ),
      ),
      el(
        "details",
        { className: "notice-details" },
        el("summary", {}, "How to price them"),
        el(
          "ol",
          {},
          el(
            "li",
            {},
            "Write their prices in an overrides file (US dollars per million tokens; these figures are placeholders):",
            el("pre", { className: "code" }, example),
          ),
          el(
            "li",
            {},
            "Point the server and the CLI at it and restart the server: ",
            el("code", {}, "LLM_LEDGER_PRICING_FILE=./pricing-overrides.json"),
          ),
          el(
            "li",
            {},
            "Price the calls already recorded: ",
            el("code", {}, "npx llm-ledger reprice --only-unpriced"),
          ),
        ),
      ),
    ),
  );
}

/** What an empty ledger shows: how to send events over HTTP or with the tracker. */
export function emptyState(origin) {
  const curl = [
    `curl -X POST ${origin}/v1/events \\`,
    `  -H "Authorization: Bearer $LLM_LEDGER_INGEST_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{ "events": [{`,
    `        "eventId": "0b7e6d1c-3f1a-4c2e-9a51-6f0d2b8c4e10",`,
    `        "repo": "acme/api", "taskType": "code-review",`,
    `        "model": "gpt-4o-mini", "provider": "openai",`,
    `        "inputTokens": 12000, "outputTokens": 800`,
    `      }] }'`,
  ].join("\n");
  const tracker = [
    `import { createCostTracker, createHttpSink } from "llm-ledger";`,
    ``,
    `const tracker = createCostTracker({`,
    `  telemetryStore: createHttpSink({`,
    `    url: "${origin}",`,
    `    apiKey: process.env.LLM_LEDGER_INGEST_KEY,`,
    `  }),`,
    `});`,
    ``,
    `// After each LLM call (returns at once, never throws):`,
    `void tracker.trackAiSdkCall({`,
    `  repo: "acme/api", taskType: "code-review",`,
    `  model: "gpt-4o-mini", provider: "openai",`,
    `  inputTokens: 12_000, outputTokens: 800,`,
    `  durationMs: 2_300, usedFallback: false,`,
    `});`,
  ].join("\n");
  return el(
    "section",
    { className: "card empty-state", "data-testid": "empty-state" },
    el("h2", {}, "No LLM calls recorded yet"),
    el(
      "p",
      { className: "muted" },
      "The ledger is empty. Send events and they appear here within seconds. First create a key with the ingest scope (with the admin key in ",
      el("code", {}, "LLM_LEDGER_ADMIN_KEY"),
      "):",
    ),
    el(
      "pre",
      { className: "code", "data-testid": "key-example" },
      // npx finds the CLI in a clone, a project that installed it and a global install alike.
      `npx llm-ledger keys create --url ${origin} --name my-app --scopes ingest`,
    ),
    el(
      "div",
      { className: "empty-grid" },
      el(
        "div",
        {},
        el("h3", {}, "Over HTTP"),
        el("pre", { className: "code", "data-testid": "curl-example" }, curl),
      ),
      el(
        "div",
        {},
        el("h3", {}, "With the tracker (Node)"),
        el("pre", { className: "code", "data-testid": "tracker-example" }, tracker),
      ),
    ),
    el(
      "p",
      { className: "muted" },
      "Just looking around? ",
      el("code", {}, "npm start -- --demo"),
      " starts a server filled with 30 days of generated calls.",
    ),
  );
}
