// The three ways an event enters the ledger (the tracker's `track`, `POST /v1/events` on the real
// service, `llm-ledger import` of JSONL) share one parser: the same event is refused by all three with
// the same reason, or stored by all three. And an export followed by an import moves every column.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxTokensPerCall } from "../../src/events/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import type { ServerLogger } from "../../src/server/server-logger.js";
import { createTelemetryStore, type Database, type TelemetryStore } from "../../src/store/index.js";
import { createCostTracker, type CostTracker } from "../../src/tracker/index.js";
import { createKeyVia } from "../support/admin-keys.js";
import { runLedger } from "../support/cli.js";
import { describeServer, engineDatabase, serverUrl, uniqueSchema } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";

const silent: ServerLogger = { info() {}, warn() {}, error() {} };
const adminKey = "entry-points-test-admin-key-0123456789";
const badUnicode = "is not valid Unicode (a lone UTF-16 surrogate, or invalid UTF-8)";

/** A key that is the event's own (as JSON.parse makes it), not a prototype assignment. */
const ownKey = (key: string, value: unknown): Record<string, unknown> =>
  JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value)}}`) as Record<string, unknown>;

/** Changes to a good event, and what every entry point answers: "stored" or the reason it refused. */
const cases: Array<{ name: string; change: Record<string, unknown>; answer: string }> = [
  { name: "a good event", change: {}, answer: "stored" },
  { name: "formula start =", change: { repo: "=HYPERLINK(1)" }, answer: "stored" },
  { name: "formula start +", change: { repo: "+1" }, answer: "stored" },
  { name: "formula start -", change: { taskType: "-2+3" }, answer: "stored" },
  { name: "formula start @", change: { userId: "@SUM(1+1)" }, answer: "stored" },
  { name: "line breaks and tabs", change: { taskType: "two\nlines\r\tend" }, answer: "stored" },
  { name: "an error with a lone surrogate (cleaned)", change: { error: "bad\uD800 end" }, answer: "stored" },
  { name: "tokens at the limit", change: { inputTokens: maxTokensPerCall }, answer: "stored" },
  { name: "lone high surrogate", change: { repo: "acme\uD800" }, answer: `repo ${badUnicode}` },
  { name: "lone low surrogate", change: { sessionId: "\uDC00x" }, answer: `sessionId ${badUnicode}` },
  { name: "NUL", change: { model: "gpt\u0000-4o" }, answer: "model contains a NUL character" },
  {
    name: "metadata with a lone surrogate",
    change: { metadata: { note: "\uDBFF" } },
    answer: `metadata.note ${badUnicode}`,
  },
  {
    name: "metadata with a NUL key",
    change: { metadata: ownKey("a\u0000b", 1) },
    answer: "metadata has a key that contains a NUL character",
  },
  {
    name: "metadata with a prototype key",
    change: { metadata: ownKey("__proto__", { polluted: true }) },
    answer: 'metadata has key "__proto__", which is not allowed (prototype pollution)',
  },
  {
    name: "tokens just over the limit",
    change: { inputTokens: maxTokensPerCall + 1 },
    answer: `inputTokens must be a whole number of tokens, at most ${maxTokensPerCall} per call, got ${maxTokensPerCall + 1}`,
  },
  {
    name: "huge tokens",
    change: { cacheReadTokens: 1e12 },
    answer: `cacheReadTokens must be a whole number of tokens, at most ${maxTokensPerCall} per call, got 1000000000000`,
  },
  {
    name: "negative tokens",
    change: { outputTokens: -1 },
    answer: "outputTokens must not be negative, got -1",
  },
  {
    name: "fractional tokens",
    change: { cacheWriteTokens: 1.5 },
    answer: "cacheWriteTokens must be a whole number of tokens, got 1.5",
  },
  {
    name: "tokens as text",
    change: { inputTokens: "10" },
    answer: "inputTokens must be a number of tokens, got string",
  },
  {
    name: "reasoning above output",
    change: { outputTokens: 10, reasoningTokens: 11 },
    answer: "reasoningTokens (11) cannot exceed outputTokens (10)",
  },
  {
    name: "a date Date.parse would guess",
    change: { createdAt: "March 7" },
    answer: 'createdAt must be an ISO 8601 time such as "2026-12-03T10:15:00Z"',
  },
  {
    name: "a date that does not exist",
    change: { createdAt: "2026-02-30T00:00:00Z" },
    answer: 'createdAt "2026-02-30T00:00:00Z" is not a date and time that exists',
  },
  {
    name: "an id that is not a UUID",
    change: { eventId: "call-1" },
    answer: "eventId must be a UUID string",
  },
  {
    name: "an unknown sdk",
    change: { sdk: "cobol" },
    answer: "sdk must be one of ai, agent, raw, http, otel",
  },
  {
    name: "a long repo",
    change: { repo: "r".repeat(513) },
    answer: "repo is longer than 512 characters",
  },
  {
    name: "an empty model",
    change: { model: "" },
    answer: "model must be a non-empty string, got string",
  },
  {
    name: "a negative duration",
    change: { durationMs: -5 },
    answer: "durationMs must not be negative, got -5",
  },
  {
    name: "a flag as text",
    change: { usedFallback: "yes" },
    answer: "usedFallback must be a boolean, got string",
  },
  // Charges beyond tokens (issue #17): the tier is read in canonical form, a tier the catalog does
  // not know is stored (and flagged by its estimate), what is no tier name is refused.
  { name: "a service tier", change: { serviceTier: "batch" }, answer: "stored" },
  { name: "a provider's spelling of a tier", change: { serviceTier: "DEFAULT" }, answer: "stored" },
  { name: "a tier the catalog does not know", change: { serviceTier: "scale" }, answer: "stored" },
  {
    name: "a tier that is no name",
    change: { serviceTier: "flex tier" },
    answer:
      'serviceTier must be a tier name of 1 to 32 letters, digits, "-" or "_" (such as "batch"), got "flex tier"',
  },
  {
    name: "a tier as a number",
    change: { serviceTier: 2 },
    answer: "serviceTier must be a string, got number",
  },
  { name: "web searches", change: { webSearchRequests: 3 }, answer: "stored" },
  {
    name: "negative web searches",
    change: { webSearchRequests: -1 },
    answer: `webSearchRequests must be a whole number from 0 to ${maxTokensPerCall}, got -1`,
  },
  // Modalities (issue #17): audio and image tokens beside the text buckets, checked like them.
  {
    name: "audio and image tokens",
    change: { audioInputTokens: 20, audioOutputTokens: 5, imageOutputTokens: 3 },
    answer: "stored",
  },
  {
    name: "negative audio tokens",
    change: { audioInputTokens: -1 },
    answer: "audioInputTokens must not be negative, got -1",
  },
  {
    name: "image tokens as text",
    change: { imageOutputTokens: "3" },
    answer: "imageOutputTokens must be a number of tokens, got string",
  },
  {
    name: "a provider cost that is not money",
    change: { providerCostUsd: "1e-3" },
    answer: 'providerCostUsd must be a number or a decimal string such as "0.0123", got string',
  },
];

describeServer("one parser behind the tracker, HTTP ingest and import", () => {
  let database: Database;
  let store: TelemetryStore;
  let tracker: CostTracker;
  let server: RunningServer;
  let ingestKey = "";
  let directory = "";
  const schema = uniqueSchema("entry");
  const flags = () => ["--database-url", serverUrl!, "--schema", schema];

  beforeAll(async () => {
    database = await engineDatabase("postgres");
    directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-entry-"));
    store = await createTelemetryStore({ database, schema });
    tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    server = await startServer({ database, schema, port: 0, adminKey, logger: silent });
    ingestKey = await createKeyVia(server.url, adminKey, { name: "ingest", scopes: ["ingest"] });
  });
  afterAll(async () => {
    await tracker.close();
    await server.close();
    await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await rm(directory, { recursive: true, force: true });
  });

  /** A good event of a caller, with a fresh id (each entry point stores its own copy). */
  const event = (change: Record<string, unknown>) => ({
    eventId: randomUUID(),
    createdAt: "2026-11-30T10:00:00.000Z",
    repo: "acme/api",
    taskType: "review",
    model: "gpt-4o-mini",
    provider: "openai",
    sdk: "raw",
    inputTokens: 1000,
    outputTokens: 200,
    ...change,
  });

  async function viaTracker(events: readonly Record<string, unknown>[]): Promise<string[]> {
    const results = await Promise.all(events.map((input) => tracker.track(input as never)));
    return results.map((result) => (result.outcome === "rejected" ? result.reason! : result.outcome));
  }

  async function viaIngest(events: readonly Record<string, unknown>[]): Promise<string[]> {
    const response = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify({ events }),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      accepted: number;
      rejected: Array<{ index: number; error: string }>;
    };
    const refused = new Map(answer.rejected.map((item) => [item.index, item.error]));
    expect(answer.accepted).toBe(events.length - refused.size);
    return events.map((_, index) => refused.get(index) ?? "stored");
  }

  /** Each event as a line of an export: the caller's fields and the priced ones the ledger adds. */
  async function viaImport(events: readonly Record<string, unknown>[]): Promise<string[]> {
    const file = path.join(directory, `${randomUUID()}.jsonl`);
    const lines = events.map((item) =>
      JSON.stringify({ ...item, estimatedCostUsd: "0.00027", costSource: "catalog", priced: true }),
    );
    await writeFile(file, lines.join("\n") + "\n");
    const run = await runLedger(["import", file, ...flags(), "--json"]);
    const refused = new Map(
      [...run.stderr.matchAll(/^[^:\n]+\.jsonl:(\d+): (.*)$/gm)].map((match) => [
        Number(match[1]) - 1,
        match[2]!,
      ]),
    );
    expect((JSON.parse(run.stdout) as { inserted: number }).inserted).toBe(events.length - refused.size);
    return events.map((_, index) => refused.get(index) ?? "stored");
  }

  it("refuses the same events with the same reason, and stores the same ones", async () => {
    const expected = cases.map((item) => `${item.name}: ${item.answer}`);
    const label = (answers: string[]) => answers.map((answer, index) => `${cases[index]!.name}: ${answer}`);
    const tracked = await viaTracker(cases.map((item) => event(item.change)));
    const ingested = await viaIngest(cases.map((item) => event(item.change)));
    const imported = await viaImport(cases.map((item) => event(item.change)));
    expect(label(tracked)).toEqual(expected);
    expect(label(ingested)).toEqual(expected);
    expect(label(imported)).toEqual(expected);
  });

  it("refuses a key that could pollute a prototype, at the top level, with the same reason", async () => {
    const polluted = { ...event({}), ...ownKey("constructor", { prototype: {} }) };
    const reason = 'key "constructor" is not allowed (prototype pollution)';
    expect(await viaTracker([polluted])).toEqual([reason]);
    expect(await viaIngest([polluted])).toEqual([reason]);
    expect(await viaImport([polluted])).toEqual([reason]);
  });

  it("keeps a blank name only when it comes back from a ledger", async () => {
    // A caller's padded, empty setting is a mistake; a ledger that holds such a name moves as it is.
    const reason = "repo must be a non-empty string, got string";
    expect(await viaTracker([event({ repo: "  " })])).toEqual([reason]);
    expect(await viaIngest([event({ repo: "  " })])).toEqual([reason]);
    expect(await viaImport([event({ repo: "  " })])).toEqual(["stored"]);
  });
});

describe.runIf(serverUrl)("export, then import, moves every column [postgres]", () => {
  let database: Database;
  let directory = "";
  const source = uniqueSchema("from");
  const target = uniqueSchema("to");
  const flags = (schema: string) => ["--database-url", serverUrl!, "--schema", schema];

  beforeAll(async () => {
    database = await engineDatabase("postgres");
    directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-roundtrip-"));
  });
  afterAll(async () => {
    await database.exec(`DROP SCHEMA IF EXISTS "${source}" CASCADE`);
    await database.exec(`DROP SCHEMA IF EXISTS "${target}" CASCADE`);
    await rm(directory, { recursive: true, force: true });
  });

  it("stores the exported events again with every field but the insert time equal", async () => {
    const store = await createTelemetryStore({ database, schema: source });
    const tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    const common = { repo: "=acme\napi", taskType: "@review", createdAt: "2026-11-30T10:00:00.123Z" };
    const results = await Promise.all([
      // Every field set, priced by the catalog.
      tracker.track({
        ...common,
        eventId: randomUUID(),
        model: "gpt-4o-mini",
        provider: "openai",
        sdk: "ai",
        inputTokens: 1_000,
        outputTokens: 300,
        cacheReadTokens: 4_000,
        cacheWriteTokens: 50,
        cacheWrite1hTokens: 60,
        reasoningTokens: 200,
        durationMs: 1234,
        usedFallback: true,
        fallbackReason: "rate limit",
        deliveryId: "d-1",
        error: "boom\ttwice",
        providerCostUsd: "0.000123456789",
        userId: "u-1",
        sessionId: "s-1",
        traceId: "t-1",
        environment: "prod",
        metadata: { team: "=core", nested: { list: [1, "two", null, true] } },
        serviceTier: "batch",
        webSearchRequests: 2,
      }),
      // Unpriced: no catalog entry, the provider's figure kept.
      tracker.track({
        ...common,
        eventId: randomUUID(),
        model: "no-such-model-x",
        provider: "openai",
        inputTokens: 10,
        outputTokens: 1,
        providerCostUsd: 0.5,
      }),
      // Through `trackUsage`, with the SDK's own figure kept beside the catalog's.
      tracker.trackUsage({
        ...common,
        eventId: randomUUID(),
        model: "claude-haiku-4-5",
        sdk: "agent",
        providerCostUsd: "0.01",
        usage: { inputTokens: 7, outputTokens: 3, cacheWrite1hTokens: 5 },
      }),
      // A maximal count.
      tracker.track({
        ...common,
        eventId: randomUUID(),
        model: "gpt-4o-mini",
        inputTokens: maxTokensPerCall,
        outputTokens: 0,
      }),
    ]);
    await tracker.close();
    await store.close();
    expect(results.map((result) => result.outcome)).toEqual(["stored", "stored", "stored", "stored"]);

    const exported = await runLedger(["export", ...flags(source)]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const file = path.join(directory, "ledger.jsonl");
    await writeFile(file, exported.stdout);
    const imported = await runLedger(["import", file, ...flags(target), "--json"]);
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ lines: 4, inserted: 4, bad: 0 });
    const again = await runLedger(["export", ...flags(target)]);

    const rows = (text: string) =>
      text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .sort((first, second) => String(first.eventId).localeCompare(String(second.eventId)));
    const before = rows(exported.stdout);
    const after = rows(again.stdout);
    expect(after).toHaveLength(4);
    // The store numbers its rows (`id`): that is the target ledger's own. The rest, the first ingest
    // time included, moves as it was.
    const withoutRowId = (row: Record<string, unknown>) => ({ ...row, id: undefined });
    expect(after.map(withoutRowId)).toEqual(before.map(withoutRowId));
    expect(before.map((row) => row.priced)).toContain(false);
    expect(before.some((row) => row.costSource === "provider")).toBe(true);
    // The batch call kept its tier and searches, priced at OpenAI's batch rule (half of $0.15 input,
    // $0.60 output, $0.075 cache reads; writes at the input price) plus 2 searches × $0.01:
    // 1000 × 0.075 + 300 × 0.3 + 4000 × 0.0375 + 110 × 0.075, per million, + 0.02.
    const batch = before.find((row) => row.serviceTier === "batch");
    expect(batch).toMatchObject({ webSearchRequests: 2, priced: true });
    expect(Number(batch!.estimatedCostUsd)).toBe(0.02032325);
    expect(before.filter((row) => row.serviceTier === null)).toHaveLength(3);
  });
});
