// Facts about the whole process, kept in one place because they belong to no single instance: whether
// another process still runs, which files this process's trackers hold, and what must happen when it
// exits. Everything else lives on the instance that owns it.
//
// A worker thread loads its own copy of this module, so the files registered here are those of one
// thread. That is enough for the spool, whose trackers share a thread with their files; a directory
// lock is judged by PID, start time and boot id instead (`store/engines/directory-lock.ts`), which
// every thread of a process sees alike.

const heldFiles = new Set<string>();

/**
 * Whether a process with this PID runs on this machine, as far as this PID namespace can see. A
 * process of another user counts as running: signalling it is refused (EPERM), not unknown (ESRCH).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Records that a live part of this process holds `file` (a spool file being written or replayed)
 * until `releaseFile`. This is what tells a file left by an earlier process with the same PID (a
 * container restarting as PID 1) from one a running tracker still writes.
 */
export function holdFile(file: string): void {
  heldFiles.add(file);
}

/** Records that this process no longer holds `file`; nothing happens when it did not. */
export function releaseFile(file: string): void {
  heldFiles.delete(file);
}

/** Whether this process holds `file` (see `holdFile`). */
export function holdsFile(file: string): boolean {
  return heldFiles.has(file);
}

/**
 * Runs `hook` when the process exits on its own or through `process.exit()` (a signal's default
 * action or a crash of Node skips it). The hook must be synchronous: nothing asynchronous runs after
 * `exit`. Returns a function that removes the hook again, for when what it cleans up is released
 * earlier.
 */
export function onProcessExit(hook: () => void): () => void {
  process.on("exit", hook);
  return () => {
    process.removeListener("exit", hook);
  };
}
