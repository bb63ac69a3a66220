// The package as an application gets it from the registry: packed once, installed into an app of its
// own with install scripts disabled (so nothing of this checkout's `prepare` reaches it).
//
// A strict TypeScript app (`skipLibCheck: false`) compiles the README's quick start and AI SDK example
// against it, runs them (the AI SDK against the fake provider server) and reads them back with
// `npx llm-ledger report`. (PGlite's declarations, which our types named until the `pglite` option
// was typed structurally, failed that compile with 9 errors: "Cannot find namespace 'Emscripten'".)
//
// Then it tracks events into the Postgres server while the server terminates its connections 20
// times. The process must live and every event must be stored exactly once. (postgres.js 3.4.9, the
// driver before node-postgres, ended the process here in 4 runs out of 4, within 2 s of the first
// drop: `TypeError: Cannot read properties of null (reading 'write')` in its `nextWrite`; our
// `prepare` script patched only this checkout's copy of it, which this install never sees.)
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { estimateCost } from "../../src/pricing/index.js";
import { startFakeProviderServer } from "../support/fake-provider-server.js";
import { installPackedPackage } from "./install-packed-package.js";
import { compileStrictApp, strictAppPackages } from "./strict-app.js";

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

let installing: Promise<string> | undefined;
/** The one app every test here shares: the tarball is packed and installed once. */
function installedApp(): Promise<string> {
  installing ??= (async () => {
    const workspace = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-consumer-"));
    temporary.push(workspace);
    return installPackedPackage(process.cwd(), workspace, strictAppPackages());
  })();
  return installing;
}

describe.skipIf(!built && !inCi)("packed package in a strict TypeScript app", () => {
  it("carries its LICENSE and every document its README and docs link to", async () => {
    const installed = path.join(await installedApp(), "node_modules", "llm-ledger");
    const manifest = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8")) as {
      license: string;
    };
    expect(manifest.license).toBe("MIT");
    expect(await readFile(path.join(installed, "LICENSE"), "utf8")).toContain("MIT License");
    const links = await documentLinks(installed);
    expect(links.some((link) => link.target.startsWith("docs/"))).toBe(true);
    expect(links.filter((link) => !existsSync(path.join(installed, link.target)))).toEqual([]);
  });

  it("compiles with skipLibCheck: false, runs the README's quick start and AI SDK example, and reports them", async () => {
    const app = path.join(await installedApp(), "strict");
    await mkdir(app);
    await compileStrictApp(app, path.join(await installedApp(), "node_modules", "llm-ledger", "README.md"));
    const runScript = (script: string, ...argv: string[]) =>
      run(process.execPath, [path.join("build", script), ...argv], { cwd: app, timeout: 60_000 });
    await runScript("quick-start.js");

    const provider = await startFakeProviderServer();
    const usage = { inputTokens: 1_000, outputTokens: 100 };
    try {
      provider.reply({ usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens } });
      const example = await runScript("ai-sdk-example.js", provider.baseUrls.anthropic);
      expect(JSON.parse(example.stdout)).toEqual({ text: expect.any(String) as string });
      expect(provider.requests).toHaveLength(1);
    } finally {
      await provider.close();
    }

    // npx finds the package's bin in the app's node_modules, as it would for its user.
    const npx = (...argv: string[]) =>
      run("npx", ["--no-install", "llm-ledger", "report", ...argv], { cwd: app });
    const human = await npx("--by", "repo");
    const humanLines = `${human.stdout}${human.stderr}`.split("\n").filter((line) => line.trim() !== "");
    expect(humanLines.filter(isJsonLine)).toEqual([]);
    expect(human.stdout).toContain("acme/api");
    expect(human.stdout).toContain("acme/web");

    const report = JSON.parse((await npx("--by", "repo", "--json")).stdout) as {
      rows: { repo: string; events: number; unpriced: number; costUsd: string; inputTokens: string }[];
    };
    const byRepo = Object.fromEntries(report.rows.map((row) => [row.repo, row]));
    expect(Object.keys(byRepo).sort()).toEqual(["acme/api", "acme/web"]);
    expect(byRepo["acme/api"]).toMatchObject({ events: 1, unpriced: 0 });
    const estimate = estimateCost({ model: "claude-sonnet-4-5", provider: "anthropic", usage });
    expect(estimate.priced).toBe(true);
    expect(byRepo["acme/web"]).toMatchObject({
      events: 1,
      unpriced: 0,
      inputTokens: String(usage.inputTokens),
    });
    expect(Number(byRepo["acme/web"]!.costUsd)).toBe(Number(estimate.priced ? estimate.costUsd : NaN));
  }, 115_000);
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
      const app = await installedApp();

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

/** Relative links of the README and docs/*.md, each as a path inside the package, with its source. */
async function documentLinks(packageDirectory: string): Promise<{ source: string; target: string }[]> {
  const sources = [
    "README.md",
    ...(await readdir(path.join(packageDirectory, "docs"))).map((name) => `docs/${name}`),
  ];
  const links: { source: string; target: string }[] = [];
  for (const source of sources) {
    const text = await readFile(path.join(packageDirectory, source), "utf8");
    for (const match of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      const link = match[1]!;
      // Only documents: the dashboard doc's screenshot is written by a test run, never packed.
      if (/^[a-z]+:/i.test(link) || !link.endsWith(".md")) continue;
      links.push({ source, target: path.posix.join(path.posix.dirname(source), link) });
    }
  }
  return links;
}

/** A line that is a JSON object or array: a log line or data in what should be human output. */
function isJsonLine(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null;
  } catch {
    return false;
  }
}
