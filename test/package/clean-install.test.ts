// Issue 15: a clone's `npm ci` on Node 20, the oldest Node the package supports, printed 65
// EBADENGINE warnings, all from the ai 7 test matrix (ai 7 and its 4.x providers declare Node 22),
// which were npm aliases in the root devDependencies. They live in the test package test/ai7 now;
// this installs the root's lockfile into an empty directory, as `npm ci` in a fresh clone does.
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
let workspace: string | undefined;
afterAll(async () => {
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

describe("a clone's npm ci", () => {
  it(`prints no engine warning on this Node (${process.version})`, async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-clean-install-"));
    for (const file of ["package.json", "package-lock.json"]) {
      await copyFile(file, path.join(workspace, file));
    }
    // --ignore-scripts: prepare would build dist/ from sources this copy does not have; the engine
    // check runs either way. --prefer-offline: from the cache the checkout's own install filled.
    const install = await run(
      "npm",
      ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"],
      { cwd: workspace, maxBuffer: 64 * 1024 * 1024 },
    );
    const output = `${install.stdout}${install.stderr}`;
    expect(output.split("\n").filter((line) => line.includes("EBADENGINE"))).toEqual([]);
  }, 120_000);
});
