// `npm run bench -- budgets [--rows N] [--budgets N] [--user-budgets N] [--iterations N]
//   [--raw-iterations N] [--checks N] [--reuse-database NAME]` (or BENCH_BUDGETS_ROWS=N): budget
// evaluation on the Postgres server (TEST_DATABASE_URL or DATABASE_URL, in a database created for the
// run and dropped afterwards, or one kept by `npm run bench -- queries --keep-database`, whose events
// the same generator wrote: then its budgets, claims and outbox rows are removed again afterwards)
// over the queries benchmark's generated ledger (default 10,000,000 events over 90 days):
// - one cycle of `--budgets` budgets over rollup dimensions (repo, taskType, model, provider,
//   environment, project; calendar and rolling periods, two time zones, some `per`), p50/p95, beside the
//   same cycle computed from raw events in the same run (and whether the answers are equal), and the
//   statements a cycle sends;
// - the same for `--user-budgets` budgets on userId or metadata;
// - a whole alert evaluation cycle over all of them (the first, which fires, and the steady state);
// - `guard.check` in ns per call, over the blocking budgets among them.
import os from "node:os";
import { createBudget, createBudgetGuard, evaluateBudgetAlerts, listBudgets } from "../src/budgets/index.js";
import type { Budget, BudgetSpec } from "../src/budgets/index.js";
import { statusesOf } from "../src/budgets/budget-status.js";
import type { BudgetCall } from "../src/integrations/ai-sdk/index.js";
import type { QueryStore } from "../src/query/index.js";
import { migrateUp } from "../src/store/migrator.js";
import type { Database } from "../src/store/database.js";
import { generate, newestEvent } from "./queries.bench.js";
import { countingDatabase, measure, median, withBenchDatabase, writeResults } from "./support.js";

function flag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

const hour = 3_600_000;
const providers = ["anthropic", "openai", "google"];
const periods = ["day", "week", "month", "rolling:7d"];

/** Budgets over the rollup dimensions, on the values the generator draws (queries.bench.ts). */
function rollupSpecs(count: number): BudgetSpec[] {
  const scopeOf = (index: number): BudgetSpec["scope"] => {
    switch (index % 6) {
      case 0:
        return index % 4 === 0
          ? { repo: `repo-${index % 40}`, taskType: `task-${(index * 3) % 20}` }
          : { repo: `repo-${index % 40}` };
      case 1:
        return { taskType: `task-${index % 20}` };
      case 2:
        return { model: `model-${index % 12}` };
      case 3:
        return { provider: providers[index % 3]! };
      case 4:
        return { environment: index % 2 === 0 ? "production" : "staging" };
      default:
        return { project: "default", repo: [`repo-${index % 40}`, `repo-${(index + 1) % 40}`] };
    }
  };
  return Array.from({ length: count }, (_, index) => ({
    name: `rollup-${index}`,
    scope: scopeOf(index),
    per: index % 10 === 3 ? "model" : null,
    period: periods[Math.floor(index / 6) % periods.length]!,
    timeZone: index % 5 === 0 ? "Europe/Berlin" : "UTC",
    amountUsd: String(((index * 37) % 50) * 200 + 100),
    action: index % 5 === 1 ? "block" : null,
  }));
}

/** Budgets on users (the per-user rollup; beside another dimension, raw events) and on metadata (raw events). */
function userSpecs(count: number): BudgetSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const kind = index % 4;
    return {
      name: `user-${index}`,
      scope:
        kind === 0
          ? { userId: `user-${index % 500}` }
          : kind === 1
            ? { repo: `repo-${index % 40}` }
            : { "metadata.team": `team-${index % 6}` },
      per: kind === 1 ? "userId" : kind === 3 ? "metadata.feature" : null,
      period: periods[index % periods.length]!,
      amountUsd: String((index % 10) * 50 + 20),
      action: index % 3 === 0 ? "block" : null,
    };
  });
}

async function measureCycle(
  name: string,
  store: QueryStore,
  budgets: Budget[],
  at: Date,
  iterations: number,
  rawIterations: number,
) {
  // The first cycle over new budgets builds the day groups of their closed days; later ones read them.
  const building = countingDatabase(store.database);
  const firstStarted = performance.now();
  await statusesOf({ ...store, database: building.database }, budgets, at);
  const firstCycleMs = performance.now() - firstStarted;
  const counted = countingDatabase(store.database);
  const batched = await statusesOf({ ...store, database: counted.database }, budgets, at);
  const statements = counted.count();
  const raw = await statusesOf(store, budgets, at, { source: "raw" });
  const equal = JSON.stringify(batched) === JSON.stringify(raw);
  const rollupLatency = await measure(() => statusesOf(store, budgets, at), iterations);
  const rawLatency = await measure(() => statusesOf(store, budgets, at, { source: "raw" }), rawIterations);
  const ratio = rawLatency.p50 / rollupLatency.p50;
  // Nearest-rank p95 of fewer than 20 runs is the slowest run: say so.
  const tail = (runs: number) => (runs >= 20 ? "p95" : "max");
  console.log(
    `  ${name.padEnd(34)} batched p50 ${rollupLatency.p50.toFixed(0).padStart(6)} ms  ${tail(iterations)} ${rollupLatency.p95.toFixed(0).padStart(6)} ms | ` +
      `raw p50 ${rawLatency.p50.toFixed(0).padStart(7)} ms  ${tail(rawIterations)} ${rawLatency.p95.toFixed(0).padStart(7)} ms | ` +
      `${ratio.toFixed(1).padStart(6)}x  ${equal ? "answers equal" : "ANSWERS DIFFER"}  ${statements} statements per cycle\n` +
      `  ${"".padEnd(34)} first cycle ${firstCycleMs.toFixed(0)} ms, building the day groups (${building.count()} statements)`,
  );
  const first = { ms: firstCycleMs, statements: building.count() };
  return {
    name,
    budgets: budgets.length,
    statements,
    first,
    batched: rollupLatency,
    raw: rawLatency,
    ratio,
    equal,
  };
}

/** Calls over the generated values, model ids in the spellings applications send (dated, unknown). */
function sampleCalls(count: number): BudgetCall[] {
  let seed = 7;
  const random = () => (seed = (seed * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, () => {
    const model = Math.floor(random() * 12);
    return {
      repo: `repo-${Math.floor(random() * 40)}`,
      taskType: `task-${Math.floor(random() * 20)}`,
      model: random() < 0.3 ? `model-${model}-20250101` : `model-${model}`,
      provider: providers[model % 3],
      environment: random() < 0.9 ? "production" : "staging",
      userId: `user-${Math.floor(random() * 500)}`,
      metadata: { team: `team-${Math.floor(random() * 6)}`, feature: `feature-${Math.floor(random() * 7)}` },
    };
  });
}

async function measureCheck(store: QueryStore, checks: number) {
  const guard = createBudgetGuard({ store, refreshMs: hour });
  try {
    await guard.refresh();
    const calls = sampleCalls(1024);
    let blocked = 0;
    const loop = (count: number) => {
      for (let index = 0; index < count; index++) {
        if (!guard.check(calls[index & 1023]!).allowed) blocked++;
      }
    };
    loop(Math.min(checks, 100_000)); // warm: resolutions cached, code optimized
    // Wall time, and this process's CPU time beside it: on a shared machine the wall figure includes
    // the time other processes held the core.
    const rounds: number[] = [];
    const cpuRounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      loop(checks);
      const used = process.cpuUsage(cpu);
      rounds.push(Number(process.hrtime.bigint() - started) / checks);
      cpuRounds.push(((used.user + used.system) * 1000) / checks);
    }
    const nsPerCheck = median(rounds);
    const cpuNsPerCheck = median(cpuRounds);
    console.log(
      `  guard.check: ${nsPerCheck.toFixed(0)} ns per call (CPU ${cpuNsPerCheck.toFixed(0)} ns; median of 5 rounds of ${checks.toLocaleString("en-US")})`,
    );
    return {
      nsPerCheck,
      cpuNsPerCheck,
      rounds,
      cpuRounds,
      checks,
      blockedShare: blocked / (checks * 5 + Math.min(checks, 100_000)),
    };
  } finally {
    guard.close();
  }
}

/** What one run measures, and on how much. */
interface RunSizes {
  rollupCount: number;
  userCount: number;
  iterations: number;
  rawIterations: number;
  checks: number;
}

/** The cycles, the alert evaluation and the guard, on a ledger that holds `events` events up to `now`. */
async function measureAll(
  store: QueryStore,
  sizes: RunSizes & { now: Date; events: number; generationMs: number | null },
) {
  const { rollupCount, userCount, iterations, rawIterations, now } = sizes;
  for (const spec of [...rollupSpecs(rollupCount), ...userSpecs(userCount)]) await createBudget(store, spec);
  const budgets = await listBudgets(store);
  const rollupBudgets = budgets.filter((budget) => budget.name.startsWith("rollup-"));
  const userBudgets = budgets.filter((budget) => budget.name.startsWith("user-"));

  const cycles = [
    await measureCycle(
      `${rollupCount} budgets, rollup dimensions`,
      store,
      rollupBudgets,
      now,
      iterations,
      rawIterations,
    ),
    await measureCycle(
      `${userCount} budgets, userId or metadata`,
      store,
      userBudgets,
      now,
      iterations,
      rawIterations,
    ),
  ];
  const counted = countingDatabase(store.database);
  const firstStarted = performance.now();
  const first = await evaluateBudgetAlerts({ ...store, database: counted.database }, { at: now });
  const firstCycleMs = performance.now() - firstStarted;
  const firstStatements = counted.count();
  const steady = await measure(() => evaluateBudgetAlerts(store, { at: now }), iterations);
  console.log(
    `  alert evaluation, all ${budgets.length} budgets: first cycle ${firstCycleMs.toFixed(0)} ms (fired ${first.fired}, ` +
      `${firstStatements} statements); then p50 ${steady.p50.toFixed(0)} ms  p95 ${steady.p95.toFixed(0)} ms`,
  );
  const check = await measureCheck(store, sizes.checks);
  return {
    engine: "postgres",
    rows: sizes.events,
    generationMs: sizes.generationMs,
    cycles,
    alertEvaluation: { budgets: budgets.length, firstCycleMs, firstStatements, fired: first.fired, steady },
    check,
  };
}

async function eventCount(database: Database): Promise<number> {
  const [row] = await database.query<{ events: string }>(`SELECT count(*) AS events FROM llm_cost_events`);
  return Number(row!.events);
}

/**
 * Removes what this benchmark writes (its budgets, named `rollup-N` and `user-N`; their claims go
 * with them, and the outbox rows of those claims first), so a kept database can be measured again.
 */
async function removeBenchBudgets(database: Database): Promise<void> {
  await database.transaction(async (transaction) => {
    const bench = `SELECT id FROM llm_ledger_budgets WHERE name ~ '^(rollup|user)-[0-9]+$'`;
    await transaction.query(
      `DELETE FROM llm_ledger_alert_outbox WHERE alert_key IN
         (SELECT alert_key FROM llm_ledger_alert_claims WHERE budget_id IN (${bench}))`,
    );
    await transaction.query(`DELETE FROM llm_ledger_budgets WHERE id IN (${bench})`);
    // And the day groups the runs built, so that the next run's first cycle builds them again.
    await transaction.query(`DELETE FROM llm_cost_day_group_builds`);
  });
}

export async function run(args: string[]): Promise<void> {
  const rows = flag(args, "--rows", Number(process.env.BENCH_BUDGETS_ROWS) || 10_000_000);
  const sizes: RunSizes = {
    rollupCount: flag(args, "--budgets", 1000),
    userCount: flag(args, "--user-budgets", 100),
    iterations: flag(args, "--iterations", 10),
    rawIterations: flag(args, "--raw-iterations", 3),
    checks: flag(args, "--checks", 1_000_000),
  };
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url?.startsWith("postgres")) {
    console.log("no TEST_DATABASE_URL/DATABASE_URL: the budgets benchmark runs on the Postgres server only");
    return;
  }
  const reuse = args.includes("--reuse-database") ? args[args.indexOf("--reuse-database") + 1] : undefined;
  const loadBefore = os.loadavg();
  const result = await withBenchDatabase(
    url,
    async (database, name, reused) => {
      const schema = "public";
      const store = { database, schema };
      await migrateUp(database, { schema });
      // A reused database's cycles run at the end of its events, as its reports did when it was made.
      const now = reused
        ? await newestEvent(database)
        : new Date(Math.floor(Date.now() / hour) * hour - 17 * 60_000 - 23_456);
      const events = reused ? await eventCount(database) : rows;
      console.log(`postgres server (database ${name}), ${events.toLocaleString("en-US")} events:`);
      const generationMs = reused ? null : await generate(database, schema, rows, now);
      console.log(
        generationMs === null ? "  reused" : `  generated in ${(generationMs / 1000).toFixed(1)} s`,
      );
      // A run that stopped half way may have left its budgets: start from none, and leave none.
      await removeBenchBudgets(database);
      try {
        return await measureAll(store, { ...sizes, now, events, generationMs });
      } finally {
        await removeBenchBudgets(database);
      }
    },
    { reuse },
  );
  const loadAfter = os.loadavg();
  console.log(
    `load average before ${loadBefore.map((value) => value.toFixed(2)).join(" ")}, after ${loadAfter.map((value) => value.toFixed(2)).join(" ")}`,
  );
  // The run (10M events) and smaller ones (e.g. --rows 1000000) keep separate result files,
  // named by --rows (a reused database also holds the queries bench's write rounds).
  await writeResults(rows === 10_000_000 ? "budgets" : `budgets-${rows}`, {
    command: `npm run bench -- budgets ${args.join(" ")}`.trim(),
    iterations: sizes.iterations,
    rawIterations: sizes.rawIterations,
    loadBefore,
    loadAfter,
    results: [result],
  });
}
