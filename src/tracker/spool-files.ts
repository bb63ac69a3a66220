// Which spool files belong to a live tracker. Files are named for the process that writes them
// (`spool-<pid>-<id>`, `overflow-<pid>-<id>`, `replay-<pid>-<id>`; `pending-<id>` once released), so
// another process tells a dead owner by its pid; within one process, the files live trackers hold are
// registered with `holdFile` (`this-process.ts`), which makes a same-pid file left by a previous run
// (a container restarting as pid 1) claimable while a live tracker's file is not.
import { holdsFile, isProcessAlive } from "../this-process.js";

/** Names of spool files; group 2 is the owner's pid where the name carries one. */
export const spoolFilePattern =
  /^(spool|replay|overflow)-(\d+)-[0-9a-f-]+\.ndjson$|^pending-[0-9a-f-]+\.ndjson$/;

/** Whether the file named with `pid` belongs to a tracker that is still running. */
export function isHeld(pid: number, file: string): boolean {
  return pid === process.pid ? holdsFile(file) : isProcessAlive(pid);
}
