// Facts about the whole process: whether another process runs, the files this process holds, and the
// hooks that run when it exits (checked in real child processes).
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { holdFile, holdsFile, isProcessAlive, releaseFile } from "../src/this-process.js";

const moduleUrl = new URL("../src/this-process.ts", import.meta.url).href;
const temporary: string[] = [];
afterAll(async () => {
  for (const directory of temporary) await rm(directory, { recursive: true, force: true });
});

/** Runs `script` (an ES module that may import this-process as `facts`) in a child Node process. */
function runChild(script: string): { status: number | null; stderr: string } {
  const source = `const facts = await import(${JSON.stringify(moduleUrl)});\n${script}`;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], {
    encoding: "utf8",
  });
  return { status: child.status, stderr: child.stderr };
}

describe("isProcessAlive", () => {
  it("is true for this process and false for a child that has exited", async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    expect(isProcessAlive(child.pid!)).toBe(true);
    await exited;
    expect(isProcessAlive(child.pid!)).toBe(false);
  });

  it("counts a process of another user as running (signalling it is refused, not unknown)", () => {
    // PID 1 always runs; as a normal user kill(1, 0) answers EPERM, as root it succeeds.
    expect(isProcessAlive(1)).toBe(true);
  });
});

describe("the files this process holds", () => {
  it("holds a file from holdFile until releaseFile, and releasing twice is harmless", () => {
    const file = path.join(os.tmpdir(), `held-${process.pid}-${Date.now()}.ndjson`);
    expect(holdsFile(file)).toBe(false);
    holdFile(file);
    expect(holdsFile(file)).toBe(true);
    releaseFile(file);
    releaseFile(file);
    expect(holdsFile(file)).toBe(false);
  });
});

describe("onProcessExit", () => {
  it("runs the hooks still registered when the process exits, also through process.exit()", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-exit-"));
    temporary.push(directory);
    const kept = path.join(directory, "kept");
    const removed = path.join(directory, "removed");
    const { status, stderr } = runChild(`
      import { writeFileSync } from "node:fs";
      facts.onProcessExit(() => writeFileSync(${JSON.stringify(kept)}, "ran"));
      const remove = facts.onProcessExit(() => writeFileSync(${JSON.stringify(removed)}, "ran"));
      remove();
      process.exit(3);
    `);
    expect(stderr).toBe("");
    expect(status).toBe(3);
    expect(await readFile(kept, "utf8")).toBe("ran");
    await expect(readFile(removed, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });
});
