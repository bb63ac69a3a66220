import fs from "node:fs";

/**
 * What tells one process from another that later gets the same PID. A PID alone is recycled: in a
 * container without an init the service is always PID 1, so after `kill -9` and a restart a lock
 * naming PID 1 names the new process too. Linux gives each process a start time (clock ticks since
 * boot, `/proc/<pid>/stat` field 22) and each boot an id; a PID with the same start time under the
 * same boot is the same process. Elsewhere both are unknown, and callers fall back to the PID alone.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Clock ticks since boot when the process started, as a decimal string; Linux only. */
  readonly startTime?: string;
  /** The kernel's id for the current boot; Linux only. */
  readonly bootId?: string;
}

/** This process's identity. */
export function currentProcessIdentity(): ProcessIdentity {
  return withoutUndefined({
    pid: process.pid,
    startTime: processStartTime(process.pid),
    bootId: currentBootId(),
  });
}

/**
 * The start time of a running process, or undefined when it cannot be read: no such process, no
 * `/proc` (not Linux), or `/proc` hides other users' processes.
 */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Field 2 is the command name in parentheses and may itself hold spaces and ')'; the fields after
  // the last ')' start at field 3, so field 22 is the 20th of them.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const startTime = fields[19];
  return startTime !== undefined && /^\d+$/.test(startTime) ? startTime : undefined;
}

/** The id of the running kernel's boot: the same for every process until the machine restarts. */
export function currentBootId(): string | undefined {
  try {
    return fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function withoutUndefined(identity: {
  pid: number;
  startTime: string | undefined;
  bootId: string | undefined;
}): ProcessIdentity {
  return {
    pid: identity.pid,
    ...(identity.startTime === undefined ? {} : { startTime: identity.startTime }),
    ...(identity.bootId === undefined ? {} : { bootId: identity.bootId }),
  };
}
