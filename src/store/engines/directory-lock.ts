import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LedgerError } from "../../errors.js";
import { isProcessAlive, onProcessExit } from "../../this-process.js";
import { createLockFile, readLockFile, removeStaleLockFile } from "./lock-file.js";
import { startHeartbeat, watchForHeartbeat } from "./lock-heartbeat.js";
import { currentBootId, currentProcessIdentity, processStartTime } from "./process-identity.js";

const lockFileName = "llm-ledger.lock";

/** A lock held on a directory by this process, released by `release()` or when the process exits. */
export interface DirectoryLock {
  readonly file: string;
  readonly release: () => void;
}

/**
 * Timings of the lock; internal, for tests. Every holder refreshes its lock each heartbeat, and an
 * opener watches for about 2.5 heartbeats, so the two must stay in step across processes.
 */
export interface DirectoryLockTimings {
  readonly heartbeatMilliseconds?: number;
  readonly watchMilliseconds?: number;
}

const defaultHeartbeatMilliseconds = 1_000;
const defaultWatchMilliseconds = 2_500;

/**
 * Takes the lock file of a PGlite directory. PGlite is single-process: two processes writing one
 * data directory would corrupt it, so a second opener gets `E_DB_IN_USE` instead.
 *
 * The lock names the holder's PID, start time and boot id (see `process-identity.ts`), so a holder
 * on this machine is told from a PID recycled since (PID 1 again after a container restart) and is
 * refused at once. A holder that cannot be seen from here — another container's PID namespace,
 * another host on a network volume — looks exactly like a dead one, though; so a lock that looks
 * stale is watched for 2.5 heartbeats (see `lock-heartbeat.ts`) and taken over only if nobody
 * refreshed it. The host name in the file is for people reading it.
 */
export async function lockDirectory(
  directory: string,
  timings: DirectoryLockTimings = {},
): Promise<DirectoryLock> {
  const heartbeatMilliseconds = timings.heartbeatMilliseconds ?? defaultHeartbeatMilliseconds;
  const watchMilliseconds = timings.watchMilliseconds ?? defaultWatchMilliseconds;
  const file = path.join(directory, lockFileName);
  const content = JSON.stringify({
    ...currentProcessIdentity(),
    host: os.hostname(),
    since: new Date().toISOString(),
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(file, content)) return holdLock(file, content, heartbeatMilliseconds);
    const seen = readLockFile(file);
    if (seen === undefined) continue; // released between our attempt and the read
    const existing = parseLock(seen.raw);
    if (holderIsLive(existing)) {
      const who = existing.pid === process.pid ? `this process (${existing.pid})` : `process ${existing.pid}`;
      throw new LedgerError(
        "E_DB_IN_USE",
        `database ${directory} is in use by ${who}; stop it, use its HTTP API, or use a Postgres server`,
      );
    }
    const outcome = await watchForHeartbeat(file, seen, watchMilliseconds);
    if (outcome === "refreshed") throw inUseElsewhere(directory, existing, watchMilliseconds);
    if (outcome === "unchanged") removeStaleLockFile(file, seen);
  }
  throw new LedgerError("E_DB_IN_USE", `database ${directory} is being opened by another process; try again`);
}

function create(file: string, content: string): boolean {
  try {
    return createLockFile(file, content);
  } catch (error) {
    throw new LedgerError("E_DB_DIR", `cannot create lock file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function inUseElsewhere(directory: string, lock: ExistingLock, watchMilliseconds: number): LedgerError {
  return new LedgerError(
    "E_DB_IN_USE",
    `database ${directory} is held by pid ${lock.pid ?? "unknown"} on host ${lock.host ?? "unknown"}, ` +
      `which refreshed the lock within the last ${Math.ceil(watchMilliseconds / 1000)} s; it seems to run ` +
      `in another container or on another host sharing this directory: stop it, use its HTTP API, or use a Postgres server`,
  );
}

function holdLock(file: string, content: string, heartbeatMilliseconds: number): DirectoryLock {
  let held = true;
  const stopHeartbeat = startHeartbeat(file, content, heartbeatMilliseconds);
  const release = () => {
    if (!held) return;
    held = false;
    stopHeartbeat();
    removeExitHook();
    // Only remove the file if it is still ours.
    if (readLockFile(file)?.raw === content) removeOwnLock(file);
  };
  const removeExitHook = onProcessExit(release);
  return { file, release };
}

function removeOwnLock(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // already gone
  }
}

interface ExistingLock {
  pid: number | undefined;
  startTime: string | undefined;
  bootId: string | undefined;
  host: string | undefined;
}

function parseLock(raw: string): ExistingLock {
  try {
    const parsed = JSON.parse(raw) as {
      pid?: unknown;
      startTime?: unknown;
      bootId?: unknown;
      host?: unknown;
    };
    return {
      pid: Number.isSafeInteger(parsed.pid) ? (parsed.pid as number) : undefined,
      startTime: typeof parsed.startTime === "string" ? parsed.startTime : undefined,
      bootId: typeof parsed.bootId === "string" ? parsed.bootId : undefined,
      host: typeof parsed.host === "string" ? parsed.host : undefined,
    };
  } catch {
    return { pid: undefined, startTime: undefined, bootId: undefined, host: undefined };
  }
}

/**
 * Whether the process a lock names provably still runs on this machine. What cannot be checked
 * counts as live, as before start times were recorded: a lock without one (an older llm-ledger) or
 * a process whose start time cannot be read is judged by its PID alone. A lock judged not live here
 * may still have a live holder elsewhere; the heartbeat decides.
 */
function holderIsLive(lock: ExistingLock): boolean {
  if (lock.pid === undefined) return false; // no holder named
  // Written under another boot: this machine has restarted since, or another host wrote it on a
  // shared volume.
  const bootId = currentBootId();
  if (lock.bootId !== undefined && bootId !== undefined && lock.bootId !== bootId) return false;
  if (!isProcessAlive(lock.pid)) return false;
  if (lock.startTime === undefined) return true;
  const startTime = processStartTime(lock.pid);
  // The PID runs but started at another time: recycled after the holder died, or the holder is in
  // another PID namespace (another container) and the PID here is someone else.
  return startTime === undefined || startTime === lock.startTime;
}
