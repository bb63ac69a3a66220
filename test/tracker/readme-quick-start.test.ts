// Issue 15: the README's quick start, run as written (only the package import points at this
// checkout): tracker.close() leaves the store the caller created open, so the query after it works
// (it failed with E_DB_CLOSED when close() closed the caller's store).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
let directory = "";
afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** The first TypeScript block under "## Quick start" in README.md. */
async function quickStart(): Promise<string> {
  const readme = await readFile(path.join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error("README.md has no ```ts block under '## Quick start'");
  return code;
}

describe("the README quick start", () => {
  it("runs as written: tracks, closes the tracker, queries the store it created, closes the store", async () => {
    const code = await quickStart();
    expect(code).toContain('from "llm-ledger"');
    directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-quick-start-"));
    // .mts: an ES module (top-level await) outside any package.json, as in an ESM application.
    const script = path.join(directory, "quick-start.mts");
    const entry = pathToFileURL(path.join(root, "src/index.ts")).href;
    await writeFile(script, code.replace('from "llm-ledger"', `from ${JSON.stringify(entry)}`));

    // tsx by path: the script lives outside this checkout, where `--import tsx` cannot resolve it.
    const tsx = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", tsx, script], {
      cwd: directory,
      timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the quick start failed: ${error.message}\n${error.stderr ?? ""}`);
    });
    expect(stderr).not.toContain("E_DB_CLOSED");
    // The printed rows name the model tracked, with one event and a cost above zero.
    expect(stdout).toMatch(/model: 'claude-sonnet-4-5'/);
    expect(stdout).toMatch(/events: 1\b/);
    const cost = /costUsd: '([\d.]+)'/.exec(stdout)?.[1];
    expect(Number(cost)).toBeGreaterThan(0);
  }, 150_000);
});
