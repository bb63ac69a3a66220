import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type LockFileState, readLockFile } from "./lock-file.js";

/**
 * The heartbeat of a held lock. A PID, a start time and a boot id tell a live holder only to a
 * process that sees the holder's processes: a holder in another container on the same volume (its
 * own PID namespace) or on another host (a network volume) looks dead from here. So the holder also
 * refreshes the lock file's mtime every `intervalMilliseconds`, and an opener that would take over a
 * lock it cannot check first watches it for a few heartbeats (`watchForHeartbeat`).
 *
 * The refresh goes through a descriptor of the file as read, so it never touches a lock another
 * process has written since. A beat that finds no lock of ours is skipped, not the end: an opener
 * may have moved the file aside for a moment to compare it, and puts it back. The timer is unref'd
 * (the lock never keeps a process alive) and stops with the returned function.
 */
export function startHeartbeat(file: string, content: string, intervalMilliseconds: number): () => void {
  const timer = setInterval(() => refresh(file, content), intervalMilliseconds);
  timer.unref();
  return () => clearInterval(timer);
}

function refresh(file: string, content: string): void {
  let descriptor: number;
  try {
    descriptor = fs.openSync(file, "r");
  } catch {
    return;
  }
  try {
    if (fs.readFileSync(descriptor, "utf8") !== content) return;
    const now = new Date();
    fs.futimesSync(descriptor, now, now);
  } catch {
    // The file system refused this beat; the next one tries again.
  } finally {
    fs.closeSync(descriptor);
  }
}

/** What a watched lock did: was refreshed (its holder is alive), was replaced or removed, or neither. */
export type WatchOutcome = "refreshed" | "replaced" | "unchanged";

/**
 * Watches a lock file for `windowMilliseconds` from the state `seen`, polling a few times a
 * heartbeat. Only the file's own mtime and text are compared, never our clock with the holder's, so
 * clocks that disagree between hosts do not matter.
 */
export async function watchForHeartbeat(
  file: string,
  seen: LockFileState,
  windowMilliseconds: number,
): Promise<WatchOutcome> {
  const deadline = performance.now() + windowMilliseconds;
  const pollMilliseconds = Math.max(10, Math.min(100, windowMilliseconds / 10));
  for (;;) {
    await sleep(Math.max(0, Math.min(pollMilliseconds, deadline - performance.now())));
    const now = readLockFile(file);
    if (now === undefined || now.raw !== seen.raw) return "replaced";
    if (now.mtimeMs !== seen.mtimeMs) return "refreshed";
    if (performance.now() >= deadline) return "unchanged";
  }
}
