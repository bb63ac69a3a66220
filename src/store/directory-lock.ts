import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LedgerError } from "../errors.js";
import { currentBootId, currentProcessIdentity, processStartTime } from "./process-identity.js";

const lockFileName = "llm-ledger.lock";

/** A lock held on a directory by this process, released by `release()` or when the process exits. */
export interface DirectoryLock {
  readonly file: string;
  readonly release: () => void;
}

/**
 * Takes the lock file of a PGlite directory. PGlite is single-process: two processes writing one
 * data directory would corrupt it, so a second opener gets `E_DB_IN_USE` instead. A lock left by a
 * process that no longer runs is taken over. The lock names the holder's PID, start time and boot id
 * (see `process-identity.ts`), so a PID recycled since — PID 1 again after a container restart — is
 * told from a live holder. The host name in the file is for people reading it.
 */
export function lockDirectory(directory: string): DirectoryLock {
  const file = path.join(directory, lockFileName);
  const content = JSON.stringify({
    ...currentProcessIdentity(),
    host: os.hostname(),
    since: new Date().toISOString(),
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, content, { flag: "wx" });
      return holdLock(file, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new LedgerError("E_DB_DIR", `cannot create lock file ${file}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    const existing = readLock(file);
    if (existing === undefined) continue; // released between our attempt and the read
    if (holderIsLive(existing)) {
      const who = existing.pid === process.pid ? `this process (${existing.pid})` : `process ${existing.pid}`;
      throw new LedgerError(
        "E_DB_IN_USE",
        `database ${directory} is in use by ${who}; stop it, use its HTTP API, or use a Postgres server`,
      );
    }
    takeOverStale(file, existing.raw);
  }
  throw new LedgerError("E_DB_IN_USE", `database ${directory} is being opened by another process; try again`);
}

function holdLock(file: string, content: string): DirectoryLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.removeListener("exit", release);
    try {
      // Only remove the file if it is still ours.
      if (fs.readFileSync(file, "utf8") === content) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on("exit", release);
  return { file, release };
}

interface ExistingLock {
  pid: number | undefined;
  startTime: string | undefined;
  bootId: string | undefined;
  raw: string;
}

function readLock(file: string): ExistingLock | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(raw) as { pid?: unknown; startTime?: unknown; bootId?: unknown };
    return {
      pid: Number.isSafeInteger(parsed.pid) ? (parsed.pid as number) : undefined,
      startTime: typeof parsed.startTime === "string" ? parsed.startTime : undefined,
      bootId: typeof parsed.bootId === "string" ? parsed.bootId : undefined,
      raw,
    };
  } catch {
    return { pid: undefined, startTime: undefined, bootId: undefined, raw };
  }
}

/**
 * Whether the process a lock names still runs. What cannot be checked counts as live, as before
 * start times were recorded: a lock without one (an older llm-ledger) or a process whose start time
 * cannot be read is judged by its PID alone.
 */
function holderIsLive(lock: ExistingLock): boolean {
  if (lock.pid === undefined) return false; // no holder named: nothing to wait for
  // Written under another boot: this machine has restarted since (every process of that boot is
  // gone), or another host wrote it on a shared volume, whose processes cannot be seen from here.
  const bootId = currentBootId();
  if (lock.bootId !== undefined && bootId !== undefined && lock.bootId !== bootId) return false;
  if (!isRunning(lock.pid)) return false;
  if (lock.startTime === undefined) return true;
  const startTime = processStartTime(lock.pid);
  // The PID runs but started at another time: it was recycled after the holder died.
  return startTime === undefined || startTime === lock.startTime;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Moves a stale lock aside atomically; puts it back if another process replaced it meanwhile. */
function takeOverStale(file: string, staleContent: string): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return;
  }
  const moved = fs.readFileSync(aside, "utf8");
  if (moved === staleContent) fs.unlinkSync(aside);
  else fs.renameSync(aside, file);
}
