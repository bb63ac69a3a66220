// The randomized equality test: 200 random queries on random data (inserted in batches with
// duplicates, then updated and deleted; the daily rollups closed only through the middle of the data),
// each answered automatically (rollup where it can) and from raw events only; the answers must be
// equal to the last decimal, most must come from the rollup, and the totals must match sums computed
// here in JavaScript. Then a retention purge: rollup answers
// stay as they were, and equality holds wherever raw events remain; then the rollups' own purge in the
// middle of a closed week, after which every answer equals raw again. Events belong to three projects
// (issue 21): project is grouped and filtered like any other dimension; so is the service tier (in the
// rollups since migration 0012). The data spans five UTC weeks, so random windows and open ends read
// the one-dimension rollup's closed weeks (migration 0011).
import { beforeAll, expect, it } from "vitest";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import type { CostFilters, Dimension, Grain, OrderBy, QueryCostsOptions } from "../../src/query/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { createCostWriter } from "../../src/store/record-costs.js";
import { createPricing } from "../../src/pricing/index.js";
import { repriceEvents } from "../../src/query/index.js";
import { describeEachEngine } from "../support/databases.js";
import {
  insertEvents,
  pick,
  randomEvents,
  seededRandom,
  sumDecimals,
  type TestEvent,
} from "./support/cost-events.js";
import { reopenDays, rollupDrift } from "./support/rollup-drift.js";
import { purgeRollups } from "../../src/store/ledger/purge-rollups.js";

const start = new Date("2024-03-01T00:00:00Z");
const hours = 36 * 24; // across both the US (Mar 10) and the EU (Mar 31) daylight saving changes
const end = new Date(start.getTime() + hours * 3_600_000);
const rollupDimensions: Dimension[] = [
  "repo",
  "taskType",
  "model",
  "provider",
  "sdk",
  "environment",
  "project",
  "serviceTier",
];
const projects = ["default", "alpha", "beta"];
const rawDimensions: Dimension[] = ["deliveryId", "userId", "sessionId", "metadata.team"];
const timeZones = [
  undefined,
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Tokyo",
  "Australia/Sydney",
  "Asia/Kolkata",
];

function randomInstant(random: () => number): Date {
  const low = start.getTime() - 86_400_000;
  const high = end.getTime() + 86_400_000;
  const instant = low + Math.floor(random() * (high - low));
  return new Date(random() < 0.6 ? Math.floor(instant / 3_600_000) * 3_600_000 : instant);
}

function randomQuery(random: () => number): QueryCostsOptions {
  const groupBy = rollupDimensions.filter(() => random() < 0.25);
  if (random() < 0.1) groupBy.push(pick(random, rawDimensions));
  const grain = random() < 0.7 ? pick(random, ["hour", "day", "week", "month"] as Grain[]) : undefined;
  let from: Date | undefined = random() < 0.8 ? randomInstant(random) : undefined;
  let to: Date | undefined = random() < 0.8 ? randomInstant(random) : undefined;
  if (from && to && from.getTime() > to.getTime()) [from, to] = [to, from];
  if (from && to && from.getTime() === to.getTime()) to = undefined;
  const filters: CostFilters = {};
  if (random() < 0.5) {
    if (random() < 0.3) filters.repo = ["api", pick(random, ["web", "etl", "nope"])];
    if (random() < 0.2) filters.model = [pick(random, ["claude-sonnet-4-5", "gpt-4o", "mystery-model-1"])];
    if (random() < 0.2) filters.environment = [pick(random, ["production", "staging"]), null];
    if (random() < 0.15) filters.usedFallback = random() < 0.5;
    if (random() < 0.15) filters.priced = random() < 0.5;
    if (random() < 0.15) filters.error = random() < 0.5;
    if (random() < 0.05) filters.userId = ["u1"];
    if (random() < 0.2) filters.serviceTier = [pick(random, ["batch", "priority", "flex", null])];
    if (random() < 0.3) {
      filters.project = random() < 0.1 ? [] : projects.filter(() => random() < 0.5).concat("nope");
    }
  }
  const orderBy: OrderBy | undefined =
    random() < 0.3
      ? `${pick(random, ["events", "costUsd", "inputTokens"])}:${pick(random, ["asc", "desc"])}`
      : undefined;
  return {
    from,
    to,
    groupBy,
    grain,
    timeZone: pick(random, timeZones),
    filters,
    orderBy,
    limit: random() < 0.2 ? 1 + Math.floor(random() * 10) : undefined,
  };
}

/** Totals computed in JavaScript from the stored events: an oracle independent of the SQL. */
function expectedTotals(events: readonly TestEvent[], options: QueryCostsOptions) {
  const filters = options.filters ?? {};
  const matches = (value: string | null, wanted: unknown) =>
    wanted === undefined || (wanted as Array<string | null>).includes(value);
  const selected = events.filter(
    (event) =>
      (!options.from || event.createdAt >= (options.from as Date)) &&
      (!options.to || event.createdAt < (options.to as Date)) &&
      matches(event.repo, filters.repo) &&
      matches(event.resolvedModel ?? event.model, filters.model) &&
      matches(event.environment, filters.environment) &&
      matches(event.userId, filters.userId) &&
      matches(event.serviceTier ?? null, filters.serviceTier) &&
      matches(event.project ?? "default", filters.project) &&
      (filters.usedFallback === undefined || event.usedFallback === filters.usedFallback) &&
      (filters.priced === undefined || event.priced === filters.priced) &&
      (filters.error === undefined || (event.error !== null) === filters.error),
  );
  return {
    events: selected.length,
    costUsd: sumDecimals(selected.map((event) => event.estimatedCostUsd)),
    providerCostUsd: sumDecimals(selected.map((event) => event.providerCostUsd)),
    inputTokens: String(selected.reduce((sum, event) => sum + event.inputTokens, 0)),
  };
}

async function storedEvents(context: {
  database(): import("../../src/store/database.js").Database;
  schema: string;
}) {
  const rows = await context.database().query<Record<string, unknown>>(
    `SELECT project, created_at, repo, model, resolved_model, environment, user_id, service_tier, used_fallback,
            priced, error,
            estimated_cost_usd::text AS cost, provider_cost_usd::text AS provider_cost, input_tokens::text AS input
       FROM "${context.schema}".llm_cost_events`,
  );
  return rows.map(
    (row) =>
      ({
        project: row.project,
        createdAt: row.created_at as Date,
        repo: row.repo,
        model: row.model,
        resolvedModel: row.resolved_model,
        environment: row.environment,
        userId: row.user_id,
        serviceTier: row.service_tier,
        usedFallback: row.used_fallback,
        priced: row.priced,
        error: row.error,
        estimatedCostUsd: row.cost,
        providerCostUsd: row.provider_cost,
        inputTokens: Number(row.input),
      }) as TestEvent,
  );
}

describeEachEngine("rollup answers equal raw answers", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });

  beforeAll(async () => {
    const database = context.database();
    await migrateUp(database, { schema: context.schema });
    const random = seededRandom(20240301);
    const inProject = (event: TestEvent): TestEvent => ({ ...event, project: pick(random, projects) });
    const events = randomEvents(random, 4000, { start, hours }).map(inProject);
    // One writer throughout: it closes the ended days on its first write only, so the days reopened
    // below stay open for the later writes.
    const writer = createCostWriter(database, context.schema);
    // Batches overlapping earlier ones: every duplicate must be skipped, not counted.
    for (let index = 0; index < events.length; index += 400) {
      await insertEvents(
        database,
        context.schema,
        events.slice(Math.max(0, index - 100), index + 400),
        writer,
      );
    }
    // Reprice moves events between keys (a model the catalog prices now, costs that change): the
    // writer's rollups must follow the difference exactly.
    await repriceEvents(store(), createPricing(), { batchSize: 500 });
    expect(await rollupDrift(database, context.schema)).toBe(0);
    // The closed weeks followed the events a reprice moved, and keep no row the events left.
    const [emptied] = await database.query<{ rows: string }>(
      `SELECT count(*)::text AS rows FROM "${context.schema}".llm_cost_rollup_by_dimension
        WHERE span = 'week' AND events = 0`,
    );
    expect(emptied?.rows).toBe("0");
    // As if days were last closed on Wednesday March 20: the days from then on come from the hourly
    // rollups, the week of March 18 from its two closed days and the hours after them,
    // and the late events written now go to the closed-day tables only before that day.
    await reopenDays(database, context.schema, new Date("2024-03-20T00:00:00Z"));
    await insertEvents(
      database,
      context.schema,
      randomEvents(random, 800, { start, hours }).map(inProject),
      writer,
    );
    expect(await rollupDrift(database, context.schema)).toBe(0);
  });

  it("answers 200 random queries the same from the rollup as from raw events, exactly", async () => {
    const events = await storedEvents(context);
    const random = seededRandom(7);
    const sources = { rollup: 0, mixed: 0, raw: 0 };
    for (let index = 0; index < 200; index += 1) {
      const options = randomQuery(random);
      const automatic = await queryCostsUsing(store(), options, "auto");
      const raw = await queryCostsUsing(store(), options, "raw");
      sources[automatic.source] += 1;
      const label = `query ${index}: ${JSON.stringify(options)} (${automatic.source})`;
      expect(automatic.rows, label).toEqual(raw.rows);
      expect(automatic.totals, label).toEqual(raw.totals);
      expect(raw.source).toBe("raw");
      const oracle = expectedTotals(events, options);
      expect(
        {
          events: automatic.totals.events,
          costUsd: automatic.totals.costUsd,
          providerCostUsd: automatic.totals.providerCostUsd,
          inputTokens: automatic.totals.inputTokens,
        },
        label,
      ).toEqual(oracle);
    }
    // Most queries are served from the rollup (whole hours), some entirely.
    expect(sources.rollup + sources.mixed).toBeGreaterThanOrEqual(120);
    expect(sources.rollup).toBeGreaterThanOrEqual(30);
    expect(sources.raw).toBeGreaterThanOrEqual(10);
  });

  it("keeps rollup answers through a retention purge, and equality where raw events remain", async () => {
    const database = context.database();
    const cutoff = new Date("2024-03-15T12:34:56.789Z");
    const random = seededRandom(99);
    const before: Array<{ options: QueryCostsOptions; answer: unknown }> = [];
    for (let index = 0; index < 20; index += 1) {
      const options: QueryCostsOptions = {
        from: index % 2 ? start : undefined,
        to: new Date("2024-03-20T00:00:00Z"),
        groupBy: rollupDimensions.filter(() => random() < 0.3),
        grain: pick(random, [undefined, "day", "week"] as const),
        timeZone: pick(random, ["UTC", "Europe/Berlin"]),
      };
      const answer = await queryCostsUsing(store(), options, "auto");
      expect(answer.source).toBe("rollup");
      before.push({ options, answer });
    }
    const purged = await database.transaction(async (transaction) => {
      await transaction.query(`SELECT set_config('llm_ledger.retention_purge', 'on', true)`);
      return transaction.query(
        `DELETE FROM "${context.schema}".llm_cost_events WHERE created_at < $1::timestamptz RETURNING 1`,
        [cutoff.toISOString()],
      );
    });
    expect(purged.length).toBeGreaterThan(1000);
    for (const { options, answer } of before) {
      expect(await queryCostsUsing(store(), options, "auto")).toEqual(answer);
    }
    const afterCutoff = new Date("2024-03-15T13:00:00Z");
    for (let index = 0; index < 40; index += 1) {
      const options = randomQuery(random);
      if (!options.from || (options.from as Date) < afterCutoff) options.from = afterCutoff;
      if (options.to && (options.to as Date) <= (options.from as Date)) options.to = undefined;
      const automatic = await queryCostsUsing(store(), options, "auto");
      const raw = await queryCostsUsing(store(), options, "raw");
      expect(automatic.rows, JSON.stringify(options)).toEqual(raw.rows);
      expect(automatic.totals, JSON.stringify(options)).toEqual(raw.totals);
    }
  });

  it("answers exactly after the rollups' purge at an hour inside a closed week", async () => {
    const database = context.database();
    // A Saturday: the week of March 11 is closed (days are closed through March 19) and keeps only
    // its last hours, summed again from its days.
    const cutoff = new Date("2024-03-16T07:00:00Z");
    await database.transaction(async (transaction) => {
      await transaction.query(`SELECT set_config('llm_ledger.retention_purge', 'on', true)`);
      await transaction.query(
        `DELETE FROM "${context.schema}".llm_cost_events WHERE created_at < $1::timestamptz`,
        [cutoff.toISOString()],
      );
    });
    await purgeRollups(database, context.schema, cutoff);
    expect(await rollupDrift(database, context.schema)).toBe(0);
    const random = seededRandom(1116);
    for (let index = 0; index < 40; index += 1) {
      const options = randomQuery(random);
      const automatic = await queryCostsUsing(store(), options, "auto");
      const raw = await queryCostsUsing(store(), options, "raw");
      expect(automatic.rows, JSON.stringify(options)).toEqual(raw.rows);
      expect(automatic.totals, JSON.stringify(options)).toEqual(raw.totals);
    }
  });
});
