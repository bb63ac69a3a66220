import { randomBytes } from "node:crypto";
import fs from "node:fs";

/** What a lock file held at one moment: its text and when its holder last refreshed it. */
export interface LockFileState {
  readonly raw: string;
  readonly mtimeMs: number;
}

/**
 * Reads a lock file, or undefined when there is none. It is opened and then stat'ed through the
 * open descriptor: an NFS client revalidates a file's attributes on open (close-to-open
 * consistency), where a plain `stat` may answer from an attribute cache seconds old and hide a
 * holder's heartbeat on another host.
 */
export function readLockFile(file: string): LockFileState | undefined {
  let descriptor: number;
  try {
    descriptor = fs.openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const { mtimeMs } = fs.fstatSync(descriptor);
    return { raw: fs.readFileSync(descriptor, "utf8"), mtimeMs };
  } catch {
    return undefined;
  } finally {
    fs.closeSync(descriptor);
  }
}

// link() answers these where a file system has no hard links (some FUSE and SMB mounts).
const linkUnsupported = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

/**
 * Creates the lock file with `content` unless one exists; false when one does. The content is
 * written to a file of our own first and then linked into place, so the lock appears whole: a
 * reader never sees the empty file an exclusive create shows until its write lands. Where the file
 * system has no hard links, an exclusive create does instead.
 */
export function createLockFile(file: string, content: string): boolean {
  const temporary = `${file}.new-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    fs.writeFileSync(temporary, content, { flag: "wx" });
    try {
      fs.linkSync(temporary, file);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      if (code === undefined || !linkUnsupported.has(code)) throw error;
    }
    fs.writeFileSync(file, content, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Removes a stale lock if it is still exactly as last seen (same text, not refreshed since). The
 * file is moved aside first, atomically, under a name no other opener uses (two containers may both
 * be PID 1), and then compared: had another opener replaced it, or its holder refreshed it, in the
 * meantime, it is put back and the caller looks again.
 */
export function removeStaleLockFile(file: string, seen: LockFileState): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // gone already: another opener took it over or its holder released it
  }
  const moved = readLockFile(aside);
  if (moved !== undefined && (moved.raw !== seen.raw || moved.mtimeMs !== seen.mtimeMs)) {
    fs.renameSync(aside, file);
  } else {
    fs.rmSync(aside, { force: true });
  }
}
