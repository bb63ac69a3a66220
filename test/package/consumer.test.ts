// The package as an application gets it from the registry: packed, installed into an app of its own
// with install scripts disabled (so nothing of this checkout's `prepare` reaches it), tracking events
// into the Postgres server while the server terminates its connections 20 times. The process must
// live and every event must be stored exactly once. (postgres.js 3.4.9, the driver before
// node-postgres, ended the process here in 4 runs out of 4, within 2 s of the first drop:
// `TypeError: Cannot read properties of null (reading 'write')` in its `nextWrite`; our `prepare`
// script patched only this checkout's copy of it, which this install never sees.)
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { installPackedPackage } from "./install-packed-package.js";

const serverUrl = process.env.TEST_DATABASE_URL;
const inCi = process.env.CI === "true";
// Packing with --ignore-scripts takes dist/ as `npm ci`'s prepare (or `npm run build`) left it:
// running prepare here would rewrite dist/ while other test files import it.
const built = existsSync("dist/index.js");
const terminations = 20;
const leastEvents = 20_000;
const run = promisify(execFile);

const temporary: string[] = [];
afterAll(async () => {
  for (const directory of temporary) await rm(directory, { recursive: true, force: true });
});

if (!serverUrl && inCi) {
  describe("packed package under dropped connections [postgres]", () => {
    it("needs the Postgres server", () => {
      throw new Error("TEST_DATABASE_URL is not set, but CI=true: .ci/run should have started the server");
    });
  });
}

describe.skipIf(!serverUrl || (!built && !inCi))(
  `packed package under dropped connections${serverUrl ? "" : " [postgres: skipped, TEST_DATABASE_URL not set]"}`,
  () => {
    it("installs without scripts, lives through 20 terminated connections and stores every event once", async () => {
      const workspace = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-consumer-"));
      temporary.push(workspace);
      const app = await installPackedPackage(process.cwd(), workspace);

      // Every dependency the package declares arrived with scripts disabled: `npm ls` exits non-zero
      // on a missing or invalid one.
      const listing = await run("npm", ["ls", "--all", "--json"], { cwd: app }).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? "{}" }), // exit 1 lists the problems
      );
      expect((JSON.parse(listing.stdout) as { problems?: string[] }).problems).toBeUndefined();

      // The fixture must live inside the app so that "llm-ledger" resolves to the installed copy.
      const script = path.join(app, "track-through-drops.mjs");
      await copyFile(path.join(import.meta.dirname, "track-through-drops.mjs"), script);
      const schema = `consumer_${randomBytes(6).toString("hex")}`;
      const prefix = randomBytes(4).toString("hex");
      // The package names its connections 'llm-ledger'; a name in the URL (which both drivers let
      // override it) singles out this child's, so that other test files' connections survive.
      const applicationName = `llm-ledger-consumer-${prefix}`;
      const databaseUrl = `${serverUrl}${serverUrl!.includes("?") ? "&" : "?"}application_name=${applicationName}`;
      const admin = new pg.Client({ connectionString: serverUrl, application_name: "llm-ledger-test" });
      await admin.connect();
      let child: ChildProcess | undefined;
      try {
        child = spawn(process.execPath, [script, databaseUrl, schema, String(leastEvents), prefix], {
          cwd: app,
          stdio: ["pipe", "pipe", "pipe"],
        });
        const output = collect(child);
        await output.line("tracking");
        const terminated = await terminateConnections(admin, applicationName, terminations, output.exited);
        child.stdin!.write("stop\n");
        const exit = await output.exit(60_000);
        const failure = `child ${JSON.stringify(exit)}; stderr tail:\n${output.stderr().slice(-3000)}`;
        expect(exit, failure).toEqual({ code: 0, signal: null });
        expect(terminated).toBe(terminations);

        const report = JSON.parse(output.lastLine()) as { tracked: number; outcomes: Record<string, number> };
        expect(report.tracked).toBeGreaterThanOrEqual(leastEvents);
        // Stored, or a duplicate (a commit whose answer the drop lost, found by the retry), or
        // spooled and replayed by close(); never rejected or dropped.
        expect(
          Object.keys(report.outcomes).filter(
            (outcome) => !["stored", "duplicate", "spooled"].includes(outcome),
          ),
        ).toEqual([]);

        const counts = await admin.query<{ events: string; distinct_ids: string; ours: string }>(
          `SELECT count(*) AS events, count(DISTINCT event_id) AS distinct_ids,
                    count(*) FILTER (WHERE event_id::text LIKE $1) AS ours
               FROM ${pg.escapeIdentifier(schema)}.llm_cost_events`,
          [`${prefix}-%`],
        );
        expect(counts.rows[0]).toEqual({
          events: String(report.tracked),
          distinct_ids: String(report.tracked),
          ours: String(report.tracked),
        });
      } finally {
        if (child?.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).catch(() => {});
        await admin.end();
      }
    }, 115_000);
  },
);

/**
 * Terminates the child's server connections until `count` rounds each ended at least one, 100 ms
 * apart, so that drops meet writes in flight as well as fresh reconnections. Stops early if the
 * child exits; returns the number of rounds that ended a connection.
 */
async function terminateConnections(
  admin: pg.Client,
  applicationName: string,
  count: number,
  exited: () => boolean,
): Promise<number> {
  let done = 0;
  const deadline = Date.now() + 30_000;
  while (done < count && !exited() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const result = await admin.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE application_name = $1 AND pid <> pg_backend_pid()`,
      [applicationName],
    );
    if (result.rows.some((row) => row.ended)) done += 1;
  }
  return done;
}

/** The child's stdout lines and stderr text, and its exit. */
function collect(child: ChildProcess) {
  let stdout = "";
  let stderr = "";
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = () => stdout.split("\n").filter((line) => line !== "");
  return {
    stderr: () => stderr,
    exited: () => exit !== undefined,
    lastLine: () => lines().at(-1) ?? "",
    /** Resolves once the child printed `text` as a line; rejects if it exits first. */
    async line(text: string): Promise<void> {
      while (!lines().includes(text)) {
        if (exit !== undefined)
          throw new Error(`child exited (${JSON.stringify(exit)}) before "${text}":\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /** The child's exit, killing it if it has not exited within `timeoutMs` (something held it open). */
    async exit(timeoutMs: number) {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
      return exit!;
    },
  };
}
