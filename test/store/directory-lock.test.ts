// The PGlite directory lock: a live holder excludes everyone else, and a lock whose holder is gone is
// taken over, even when its PID now belongs to another process (PID 1 again after a container restart);
// a holder that cannot be seen from here (another container or host on the same volume) is known by
// its heartbeat.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type DirectoryLock,
  type DirectoryLockTimings,
  lockDirectory,
} from "../../src/store/engines/directory-lock.js";
import { currentBootId, processStartTime } from "../../src/store/engines/process-identity.js";

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

// Short enough to keep tests quick; the fixtures that run as separate processes use the defaults.
const quick: DirectoryLockTimings = { heartbeatMilliseconds: 50, watchMilliseconds: 300 };

async function lock(directory: string, timings: DirectoryLockTimings = quick): Promise<DirectoryLock> {
  const held = await lockDirectory(directory, timings);
  locks.push(held);
  return held;
}

/** The error lockDirectory throws for `directory` (taking and keeping the lock if it throws none). */
async function lockError(directory: string, timings: DirectoryLockTimings = quick): Promise<unknown> {
  try {
    await lock(directory, timings);
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
  return startFixture("hold-directory-lock.ts", [directory], prefix);
}

/** Runs a test/fixtures script and waits for the first line it prints. */
async function startFixture(
  fixture: string,
  parameters: string[],
  prefix: string[] = [],
): Promise<{ child: ChildProcess; line: string }> {
  const command = [...prefix, process.execPath, "--import", "tsx", `test/fixtures/${fixture}`, ...parameters];
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
    await lock(directory);
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
    expect(await lockError(directory)).toMatchObject(inUseBy(`process ${child.pid}`));
    await killHard(child.pid!, child);
    await lock(directory);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });

  it("refuses a second lock in the same process", async () => {
    const directory = await temporaryDirectory();
    await lock(directory);
    expect(await lockError(directory)).toMatchObject(inUseBy(`this process (${process.pid})`));
  });

  it.runIf(onLinux)("takes over a lock naming this process's PID with another start time", async () => {
    const directory = await temporaryDirectory();
    const earlier = String(BigInt(processStartTime(process.pid)!) - 1n);
    await writeLock(directory, { pid: process.pid, startTime: earlier, bootId: currentBootId() });
    await lock(directory);
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
    await lock(directory);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });

  it.runIf(onLinux)("refuses a lock naming a running process with its own start time", async () => {
    const directory = await temporaryDirectory();
    const pid = await sleeper();
    await writeLock(directory, { pid, startTime: processStartTime(pid), bootId: currentBootId() });
    // A holder seen alive here is refused at once, without watching for its heartbeat.
    const started = performance.now();
    expect(await lockError(directory, { watchMilliseconds: 30_000 })).toMatchObject(
      inUseBy(`process ${pid}`),
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    const mine = { pid: process.pid, startTime: processStartTime(process.pid), bootId: currentBootId() };
    await writeLock(directory, mine);
    expect(await lockError(directory)).toMatchObject(inUseBy(`this process (${process.pid})`));
  });

  it.runIf(onLinux)("takes over a lock written under another boot", async () => {
    const directory = await temporaryDirectory();
    const pid = await sleeper();
    await writeLock(directory, { pid, startTime: processStartTime(pid), bootId: "another-boot" });
    await lock(directory);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });

  it("judges a lock without a start time by its PID alone, as older versions wrote it", async () => {
    const directory = await temporaryDirectory();
    const pid = await sleeper();
    await writeLock(directory, { pid, since: new Date().toISOString() });
    expect(await lockError(directory)).toMatchObject(inUseBy(`process ${pid}`));
    await writeLock(directory, { pid: process.pid });
    expect(await lockError(directory)).toMatchObject(inUseBy(`this process (${process.pid})`));
    const gone = spawn(process.execPath, ["-e", ""]);
    const deadPid = await new Promise<number>((resolve) => gone.on("exit", () => resolve(gone.pid!)));
    await writeLock(directory, { pid: deadPid });
    (await lock(directory)).release();
    await writeFile(lockFile(directory), "not json");
    await lock(directory);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });
});

// A holder in another container (its own PID namespace) or on another host (a network volume) looks
// dead from here: another boot id, or a PID that is not running or is someone else. Its heartbeat,
// the lock file's mtime refreshed every second, is what tells it is alive.
describe("the PGlite directory lock on a volume shared with another container or host", () => {
  const elsewhere = { pid: 4242, startTime: "123", bootId: "another-boot", host: "elsewhere" };

  it("refuses a lock from another boot whose holder keeps refreshing it", async () => {
    const directory = await temporaryDirectory();
    await writeLock(directory, elsewhere);
    const refresher = await startFixture("refresh-file-mtime.ts", [lockFile(directory), "50"]);
    expect(refresher.line).toBe("ready");
    // A window of 20 refreshes: the refresher may be slow to get a core on a busy machine.
    expect(await lockError(directory, { ...quick, watchMilliseconds: 1_000 })).toMatchObject({
      code: "E_DB_IN_USE",
      message: expect.stringContaining(
        "held by pid 4242 on host elsewhere, which refreshed the lock within the last 1 s",
      ) as unknown,
    });
    expect(JSON.parse(await readFile(lockFile(directory), "utf8"))).toEqual(elsewhere);
  });

  it("takes that lock over once nobody refreshed it for the whole watch window", async () => {
    const directory = await temporaryDirectory();
    await writeLock(directory, elsewhere);
    const started = performance.now();
    await lock(directory, { ...quick, watchMilliseconds: 600 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(600);
    expect(await lockHolderPid(directory)).toBe(process.pid);
  });

  it("refreshes its own lock while held and stops once released", async () => {
    const directory = await temporaryDirectory();
    const held = await lock(directory);
    const content = await readFile(lockFile(directory), "utf8");
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(lockFile(directory), longAgo, longAgo);
    await sleep(300);
    // Compared with a margin: mtimeMs is a float made from nanoseconds, not the milliseconds we set.
    expect((await stat(lockFile(directory))).mtimeMs).toBeGreaterThan(longAgo.getTime() + 30_000);
    held.release();
    // Put the same lock back: a heartbeat still running would take it for its own and refresh it.
    await writeFile(lockFile(directory), content);
    await utimes(lockFile(directory), longAgo, longAgo);
    await sleep(300);
    expect((await stat(lockFile(directory))).mtimeMs).toBeLessThan(longAgo.getTime() + 1_000);
  });

  it("does not keep a process alive, and its exit removes the lock", async () => {
    const directory = await temporaryDirectory();
    const { child, line } = await startFixture("take-directory-lock-and-return.ts", [directory]);
    expect(line).toBe(`ready ${child.pid}`);
    const code = await new Promise((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once("exit", resolve);
    });
    expect(code).toBe(0);
    await expect(stat(lockFile(directory))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("lets exactly one of two openers racing for a stale lock take it", async () => {
    const directory = await temporaryDirectory();
    await writeLock(directory, elsewhere);
    const verdicts = await Promise.all([startHolder(directory), startHolder(directory)]);
    const lines = verdicts.map(({ line }) => line.split(" ")[0]).sort();
    expect(lines).toEqual(["ready", "refused"]);
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

  // Two containers on one host sharing the volume: both services are PID 1, under one boot id, with
  // different start times, so each takes the other's lock for a recycled PID; the heartbeat tells.
  it("is refused to a PID 1 in another namespace while the first PID 1 holds it", async () => {
    const directory = await temporaryDirectory();
    const first = await startHolder(directory, inNamespace);
    expect(first.line).toBe("ready 1");
    const second = await startHolder(directory, inNamespace);
    expect(second.line).toMatch(
      /^refused E_DB_IN_USE .*held by pid 1 on host .*, which refreshed the lock within the last 3 s; it seems to run in another container or on another host/,
    );
    expect(await lockHolderPid(directory)).toBe(1);
  });
});
