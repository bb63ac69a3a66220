// Which spool files belong to a live tracker. Files are named for the process that writes them
// (`spool-<pid>-<id>`, `overflow-<pid>-<id>`, `replay-<pid>-<id>`; `pending-<id>` once released), so
// another process tells a dead owner by its pid; within one process, `liveFiles` says which files
// live trackers hold.

/**
 * Files held by live trackers of this process (a lock within the process; other processes are told
 * apart by pid). Process-wide by nature: it is what makes a same-pid file left by a previous run (a
 * container restarting as pid 1) claimable while a live tracker's file is not.
 */
export const liveFiles = new Set<string>();

/** Names of spool files; group 2 is the owner's pid where the name carries one. */
export const spoolFilePattern =
  /^(spool|replay|overflow)-(\d+)-[0-9a-f-]+\.ndjson$|^pending-[0-9a-f-]+\.ndjson$/;

/** Whether the file named with `pid` belongs to a tracker that is still running. */
export function isHeld(pid: number, file: string): boolean {
  if (pid === process.pid) return liveFiles.has(file);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
