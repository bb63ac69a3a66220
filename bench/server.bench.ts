// The service under load on loopback: ingest events/s through POST /v1/events (batches of 100, a fresh
// eventId for every event, counted as rows in the table) with p50/p99 latency, beside the naive way
// (one event per request) in the same run, and GET /v1/costs p50/p99 while ingest runs. The server
// runs in its own process; autocannon drives it from this one. Postgres server and PGlite.
//   npm run bench -- server [--seconds 15] [--connections 16] [--rate 20000] [--baseline DIR]
// Then the same at a fixed arrival rate (--rate events/s): the latency at that load.
// --baseline DIR: also run the Postgres server case with the service built in DIR (a checkout of an
// earlier commit with its dist/ built), alternating with this one, for a before/after in one run.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import autocannon from "autocannon";
import pg from "pg";
import { cpuMsOf, writeResults } from "./support.js";

const adminKey = "bench-admin-key-0123456789abcdef";
const serverUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function flag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

export interface Server {
  child: ChildProcess;
  url: string;
}

/** The server as `npm start` runs it: compiled (built once per bench run, so it matches the sources). */
export function buildServer(): void {
  execFileSync("npm", ["run", "build", "--silent"], { stdio: "inherit" });
}

export function startServer(databaseUrl: string, schema: string, main = "dist/cli/main.js"): Promise<Server> {
  const child = spawn(
    process.execPath,
    [main, "serve", "--port", "0", "--database-url", databaseUrl, "--schema", schema],
    { env: { ...process.env, LLM_LEDGER_ADMIN_KEY: adminKey }, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url });
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

export async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.on("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

export async function createKey(url: string): Promise<string> {
  const response = await fetch(`${url}/v1/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ name: "bench", scopes: ["ingest", "read"] }),
  });
  return ((await response.json()) as { key: string }).key;
}

/** Event ids from a random prefix and a counter: unique across the run, cheap to make. */
function idFactory(): () => string {
  const prefix = randomBytes(8).toString("hex");
  let counter = 0;
  return () => {
    const hex = (counter++).toString(16).padStart(16, "0");
    return `${prefix.slice(0, 8)}-${prefix.slice(8, 12)}-4${prefix.slice(13, 16)}-8${hex.slice(1, 4)}-${hex.slice(4, 16)}`;
  };
}

const models = ["gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "claude-haiku-4-5"];
function body(size: number, nextId: () => string): string {
  const events = [];
  for (let index = 0; index < size; index++) {
    events.push(
      `{"eventId":"${nextId()}","repo":"acme/r${index % 5}","taskType":"t${index % 7}","model":"${models[index % models.length]}","inputTokens":${1000 + index},"outputTokens":${100 + index},"cacheReadTokens":${index * 10}}`,
    );
  }
  return `{"events":[${events.join(",")}]}`;
}

export async function countEvents(url: string, key: string): Promise<number> {
  const response = await fetch(`${url}/v1/costs`, { headers: { authorization: `Bearer ${key}` } });
  return ((await response.json()) as { totals: { events: number } }).totals.events;
}

/**
 * Ingest for `seconds`. Without `eventsPerSecond` every connection sends as fast as it is answered (the
 * most the service sustains; each request then waits behind all the others, so its latency is about
 * connections × batch ÷ throughput); with it the requests arrive at that rate (the latency of a
 * service under that load).
 */
async function ingestRun(
  server: Server,
  key: string,
  batch: number,
  seconds: number,
  connections: number,
  eventsPerSecond?: number,
) {
  const url = server.url;
  const nextId = idFactory();
  const before = await countEvents(url, key);
  const cpuBefore = {
    bench: process.cpuUsage(),
    server: cpuMsOf(server.child.pid!),
    postgres: cpuMsOf("postgres"),
  };
  const started = performance.now();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(eventsPerSecond ? { overallRate: Math.round(eventsPerSecond / batch) } : {}),
    requests: [
      {
        method: "POST",
        path: "/v1/events",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        setupRequest: (request) => ({ ...request, body: body(batch, nextId) }),
      },
    ],
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  const bench = process.cpuUsage(cpuBefore.bench);
  const cpuMs = {
    server: cpuMsOf(server.child.pid!) - cpuBefore.server,
    postgres: cpuMsOf("postgres") - cpuBefore.postgres,
    loadGenerator: (bench.user + bench.system) / 1000,
  };
  const rows = (await countEvents(url, key)) - before;
  return {
    batch,
    connections,
    rows,
    eventsPerSecond: Math.round(rows / elapsedSeconds),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    // Share of one core each side used while it ran (of the machine's os.cpus().length).
    cores: {
      server: +(cpuMs.server / 1000 / elapsedSeconds).toFixed(2),
      postgres: +(cpuMs.postgres / 1000 / elapsedSeconds).toFixed(2),
      loadGenerator: +(cpuMs.loadGenerator / 1000 / elapsedSeconds).toFixed(2),
    },
  };
}

async function queryRun(url: string, key: string, seconds: number) {
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const result = await autocannon({
    url: `${url}/v1/costs?groupBy=model&from=${encodeURIComponent(from)}`,
    connections: 2,
    duration: seconds,
    headers: { authorization: `Bearer ${key}` },
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
  };
}

async function benchEngine(
  name: string,
  databaseUrl: string,
  schema: string,
  seconds: number,
  connections: number,
  rate: number,
  main?: string,
) {
  const server = await startServer(databaseUrl, schema, main);
  try {
    const key = await createKey(server.url);
    await ingestRun(server, key, 100, 2, connections); // warm-up
    const naive = await ingestRun(server, key, 1, Math.max(3, Math.round(seconds / 3)), connections);
    const [ingest, queries] = await Promise.all([
      ingestRun(server, key, 100, seconds, connections),
      queryRun(server.url, key, seconds),
    ]);
    const [atRate, queriesAtRate] = await Promise.all([
      ingestRun(server, key, 100, seconds, connections, rate),
      queryRun(server.url, key, seconds),
    ]);
    const result = {
      engine: name,
      ingest,
      atRate: { eventsPerSecondOffered: rate, ingest: atRate, costs: queriesAtRate },
      naiveOneEventPerRequest: naive,
      ratio: +(ingest.eventsPerSecond / naive.eventsPerSecond).toFixed(1),
      costsUnderIngest: queries,
    };
    console.log(
      `${name.padEnd(17)} ingest ${ingest.eventsPerSecond.toLocaleString("en-US")} events/s (batches of 100, p50 ${ingest.latencyMs.p50} ms, p99 ${ingest.latencyMs.p99} ms, non-2xx ${ingest.non2xx})` +
        `  | naive 1/request ${naive.eventsPerSecond.toLocaleString("en-US")} events/s → ×${result.ratio}` +
        `  | GET /v1/costs under load p50 ${queries.latencyMs.p50} ms, p99 ${queries.latencyMs.p99} ms`,
    );
    console.log(
      `${"".padEnd(17)} at ${rate.toLocaleString("en-US")} events/s offered: ${atRate.eventsPerSecond.toLocaleString("en-US")} events/s ingested, p50 ${atRate.latencyMs.p50} ms, p99 ${atRate.latencyMs.p99} ms, non-2xx ${atRate.non2xx}` +
        `  | GET /v1/costs p50 ${queriesAtRate.latencyMs.p50} ms, p99 ${queriesAtRate.latencyMs.p99} ms` +
        `  | cores busy: server ${atRate.cores.server}, Postgres ${atRate.cores.postgres}, load generator ${atRate.cores.loadGenerator}`,
    );
    return result;
  } finally {
    await stopServer(server);
  }
}

export async function run(args: string[]): Promise<void> {
  const seconds = flag(args, "seconds", 15);
  const connections = flag(args, "connections", 16);
  const rate = flag(args, "rate", 20_000);
  const baselineIndex = args.indexOf("--baseline");
  const baseline = baselineIndex >= 0 ? args[baselineIndex + 1] : undefined;
  buildServer();
  console.log(
    `load average before: ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}`,
  );
  const results = [];
  const sql = new pg.Pool({ connectionString: serverUrl, max: 1 });
  const cases = baseline
    ? [
        { name: "postgres-baseline", main: `${baseline}/dist/cli/main.js` },
        { name: "postgres", main: undefined },
        { name: "postgres-baseline", main: `${baseline}/dist/cli/main.js` },
        { name: "postgres", main: undefined },
      ]
    : [{ name: "postgres", main: undefined }];
  for (const { name, main } of cases) {
    const schema = `bench_server_${randomBytes(4).toString("hex")}`;
    try {
      await sql.query("select 1");
      results.push(await benchEngine(name, serverUrl, schema, seconds, connections, rate, main));
    } catch (error) {
      console.log(`${name}: skipped (${(error as Error).message})`);
    } finally {
      await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    }
  }
  await sql.end();
  results.push(await benchEngine("pglite", "memory:", "public", seconds, connections, rate));
  console.log(
    `load average after: ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}`,
  );
  await writeResults("server", { seconds, connections, rate, loadAverage: os.loadavg(), results });
}
