// The PGlite directory lock: a live holder excludes everyone else, and a lock whose holder is gone is
// taken over, even when its PID now belongs to another process (PID 1 again after a container restart).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type DirectoryLock, lockDirectory } from "../../src/store/directory-lock.js";
import { currentBootId, processStartTime } from "../../src/store/process-identity.js";

const lockFile = (directory: string) => path.join(directory, "llm-ledger.lock");
const onLinux = process.platform === "linux";

const temporary: string[] = [];
const children: ChildProcess[] = [];
const locks: DirectoryLock[] = [];
async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-lock-"));
  temporary.push(directory);
  return directory;
}
afterEach(() => {
  for (const lock of locks.splice(0)) lock.release();
  for (const child of children.splice(0)) child.kill("SIGKILL");
});
afterAll(async () => {
  for (const directory of temporary) await rm(directory, { recursive: true, force: true });
});

function lock(directory: string): DirectoryLock {
  const held = lockDirectory(directory);
  locks.push(held);
  return held;
}

/** The error lockDirectory throws for `directory` (taking and keeping the lock if it throws none). */
function lockError(directory: string): unknown {
  try {
    lock(directory);
  } catch (error) {
    return error;
  }
  return undefined;
}

function inUseBy(who: string) {
  return { code: "E_DB_IN_USE", message: expect.stringContaining(`in use by ${who}`) as unknown };
}

async function writeLock(directory: string, fields: object): Promise<void> {
  await writeFile(lockFile(directory), JSON.stringify(fields));
}

async function lockHolderPid(directory: string): Promise<unknown> {
  return (JSON.parse(await readFile(lockFile(directory), "utf8")) as { pid: unknown }).pid;
}

/** A process that runs until killed and holds nothing: a live PID for crafted lock files. */
async function sleeper(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(child);
  await new Promise((resolve) => child.once("spawn", resolve));
  return child.pid!;
}

/** Runs test/fixtures/hold-directory-lock.ts (under `prefix`, e.g. unshare) and waits for its verdict. */
async function startHolder(
  directory: string,
  prefix: string[] = [],
): Promise<{ child: ChildProcess; line: string }> {
  const command = [
    ...prefix,
    process.execPath,
    "--import",
    "tsx",
    "test/fixtures/hold-directory-lock.ts",
    directory,
  ];
  const child = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("\n")) resolve(output.trim());
    });
    child.once("exit", (code) => reject(new Error(`holder exited with ${code} before answering: ${output}`)));
  });
  return { child, line };
}

async function killHard(pid: number, child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(pid, "SIGKILL"); // no exit handler runs, so the lock file stays behind
  await exited;
}

describe("the PGlite directory lock", () => {
  it.runIf(onLinux)("records the holder's PID, start time and boot id", async () => {
    const directory = await temporaryDirectory();
    lock(directory);
    expect(JSON.parse(await readFile(lockFile(directory), "utf8"))).toMatchObject({
      pid: process.pid,
      startTime: processStartTime(process.pid),
      bootId: currentBootId(),
    });
  });

  it("refuses while another live process holds it, and takes it over once that process is killed", async () => {
    const directory = await temporaryDirectory();
    const { child, line } = await startHolder(directory);
    expect(line).toBe(`ready ${child.pid}`);
    expect(lockError(directory)).toMatchObject(inUseBy(`process ${child.pid}`));
    await killHard(child.pid!, child);
    lock(directory);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });

  it("refuses a second lock in the same process", async () => {
    const directory = await temporaryDirectory();
    lock(directory);
    expect(lockError(directory)).toMatchObject(inUseBy(`this process (${process.pid})`));
  });

  it.runIf(onLinux)("takes over a lock naming this process's PID with another start time", async () => {
    const directory = await temporaryDirectory();
    const earlier = String(BigInt(processStartTime(process.pid)!) - 1n);
    await writeLock(directory, { pid: process.pid, startTime: earlier, bootId: currentBootId() });
    lock(directory);
    expect(JSON.parse(await readFile(lockFile(directory), "utf8"))).toMatchObject({
      pid: process.pid,
      startTime: processStartTime(process.pid),
    });
  });

  it.runIf(onLinux)("takes over a lock naming a running process that started at another time", async () => {
    const directory = await temporaryDirectory();
    const pid = await sleeper();
    const other = String(BigInt(processStartTime(pid)!) + 1n);
    await writeLock(directory, { pid, startTime: other, bootId: currentBootId() });
    lock(directory);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });

  it.runIf(onLinux)("refuses a lock naming a running process with its own start time", async () => {
    const directory = await temporaryDirectory();
    const pid = await sleeper();
    await writeLock(directory, { pid, startTime: processStartTime(pid), bootId: currentBootId() });
    expect(lockError(directory)).toMatchObject(inUseBy(`process ${pid}`));
    const mine = { pid: process.pid, startTime: processStartTime(process.pid), bootId: currentBootId() };
    await writeLock(directory, mine);
    expect(lockError(directory)).toMatchObject(inUseBy(`this process (${process.pid})`));
  });

  it.runIf(onLinux)("takes over a lock written under another boot", async () => {
    const directory = await temporaryDirectory();
    const pid = await sleeper();
    await writeLock(directory, { pid, startTime: processStartTime(pid), bootId: "another-boot" });
    lock(directory);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });

  it("judges a lock without a start time by its PID alone, as older versions wrote it", async () => {
    const directory = await temporaryDirectory();
    const pid = await sleeper();
    await writeLock(directory, { pid, since: new Date().toISOString() });
    expect(lockError(directory)).toMatchObject(inUseBy(`process ${pid}`));
    await writeLock(directory, { pid: process.pid });
    expect(lockError(directory)).toMatchObject(inUseBy(`this process (${process.pid})`));
    const gone = spawn(process.execPath, ["-e", ""]);
    const deadPid = await new Promise<number>((resolve) => gone.on("exit", () => resolve(gone.pid!)));
    await writeLock(directory, { pid: deadPid });
    lock(directory).release();
    await writeFile(lockFile(directory), "not json");
    lock(directory);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });
});

// The reported failure itself: the service as PID 1 of its own PID namespace (a container without an
// init), killed with SIGKILL and started again, is PID 1 again and must not find itself locked out.
const canUnshare = onLinux && spawnSync("unshare", ["-Urpf", "--mount-proc", "true"]).status === 0;
// --kill-child: when a test kills unshare, the namespace's PID 1 goes with it.
const inNamespace = ["unshare", "-Urpf", "--mount-proc", "--kill-child"];

describe.runIf(canUnshare)("the PGlite directory lock as PID 1 of a PID namespace", () => {
  it("is taken again by the next PID 1 after the first was killed with SIGKILL", async () => {
    const directory = await temporaryDirectory();
    const first = await startHolder(directory, inNamespace);
    expect(first.line).toBe("ready 1");
    // unshare forks the namespace's PID 1; its PID out here is unshare's only child.
    const inner = await readFile(`/proc/${first.child.pid}/task/${first.child.pid}/children`, "utf8");
    await killHard(Number(inner.trim()), first.child);
    expect(await lockHolderPid(directory)).toBe(1);
    const second = await startHolder(directory, inNamespace);
    expect(second.line).toBe("ready 1");
  });
});
