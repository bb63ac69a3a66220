import { readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Database } from "../src/store/database.js";
import { pgPoolDatabase } from "../src/store/engines/index.js";

/** Median of a list of numbers (the figure we quote: these machines are shared and noisy). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value at quantile q (0..1) of a list, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/** A latency's median and 95th percentile, in milliseconds. */
export interface Latency {
  p50: number;
  p95: number;
}

/** Runs `run` once to warm up, then `iterations` times, timing each run. */
export async function measure(run: () => Promise<unknown>, iterations: number): Promise<Latency> {
  await run();
  const times: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return { p50: median(times), p95: quantile(times, 0.95) };
}

/** Writes bench/results/NAME.json with the machine it ran on, and says where. */
export async function writeResults(name: string, results: unknown): Promise<void> {
  const dir = new URL("./results/", import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  const body = {
    benchmark: name,
    ranAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
    results,
  };
  await writeFile(file, JSON.stringify(body, null, 2) + "\n");
  console.log(`results written to bench/results/${name}.json`);
}

/**
 * CPU time (ms, user + system) used so far by processes, from /proc (Linux; 0 elsewhere): `"postgres"`
 * for every Postgres server process on this machine, or one process id. Beside this process's own
 * (`process.cpuUsage()`), it shows which side of a workload is the bottleneck.
 */
export function cpuMsOf(target: "postgres" | number): number {
  const read = (pid: string): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      if (target === "postgres" && !stat.slice(stat.indexOf("(") + 1, close).startsWith("postgres")) return 0;
      const fields = stat.slice(close + 2).split(" ");
      // utime and stime, in clock ticks (100 per second on Linux).
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return 0; // Gone meanwhile, or not Linux.
    }
  };
  if (target !== "postgres") return read(String(target));
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return 0;
  }
  return entries.filter((entry) => /^\d+$/.test(entry)).reduce((sum, pid) => sum + read(pid), 0);
}

/**
 * Runs `work` on a database of its own, created on the server at `url` for the run and dropped
 * afterwards (whatever `work` did), through a pool of two connections.
 */
export async function withBenchDatabase<T>(
  url: string,
  work: (database: Database, name: string, reused: boolean) => Promise<T>,
  options: { reuse?: string | undefined; keep?: boolean } = {},
): Promise<T> {
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  // A reused database (`--reuse-database`) is one a run kept (`--keep-database`): generating 10M events
  // takes the better part of an hour, and its reports can then be measured again on a quiet machine.
  const name = options.reuse ?? `llm_ledger_bench_${randomBytes(4).toString("hex")}`;
  if (!/^llm_ledger_bench_[0-9a-f]{8}$/.test(name)) throw new Error(`not a bench database name: ${name}`);
  if (!options.reuse) await admin.query(`CREATE DATABASE ${name}`);
  const benchUrl = new URL(url);
  benchUrl.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: benchUrl.toString(), max: 2 });
  try {
    return await work(
      pgPoolDatabase(pool, { owned: false, description: name }),
      name,
      options.reuse !== undefined,
    );
  } finally {
    await pool.end();
    if (options.keep || options.reuse) console.log(`  kept database ${name} (--reuse-database ${name})`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * The database with every statement sent through it counted (queries, scripts, transactions and the
 * statements inside them): what a benchmark prints beside a latency so a regression in round trips
 * shows.
 */
export function countingDatabase(database: Database): { database: Database; count: () => number } {
  let statements = 0;
  const wrap = (target: Database): Database =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== "function") return value;
        if (property === "transaction") {
          return (work: (transaction: Database) => Promise<unknown>) =>
            (value as Database["transaction"]).call(object, (transaction) =>
              work(wrap(transaction as Database)),
            );
        }
        if (property !== "query" && property !== "exec") return value;
        return (...args: unknown[]) => {
          statements++;
          return (value as (...parameters: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  return { database: wrap(database), count: () => statements };
}
