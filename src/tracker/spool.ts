// The spool: where priced events wait on disk while the store is unreachable. One file per tracker
// (`spool-<pid>-<id>.ndjson`, one JSON record per line), appended and fsync'ed before the events'
// promises resolve; a burst past the tracker's memory bound goes to overflow files of its own
// (`spool-overflow.ts`), adopted here once synced. Files left behind — by a process that died (its
// pid no longer runs, or it is this process's pid but no live tracker here holds the file) or
// released with events still in them by `close()` (`pending-<id>.ndjson`) — are claimed by renaming
// them to `replay-<pid>-<id>.ndjson`: rename is atomic, so two processes never replay the same file.
import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { LedgerLogger } from "../logger.js";
import { holdFile, releaseFile } from "../this-process.js";
import { isHeld, spoolFilePattern } from "./spool-files.js";

/** Records read from the spool; `done()` after they were written moves past them. */
export interface SpoolChunk {
  records: NewLlmCostRecord[];
  done(): Promise<void>;
}

export interface Spool {
  readonly directory: string;
  /** Appends the records and syncs them to disk. */
  append(records: readonly NewLlmCostRecord[]): Promise<void>;
  /** Whether anything waits to be replayed (claimed files or this tracker's own file). */
  hasPending(): boolean;
  /** The next records to replay, oldest first; undefined when none wait. */
  next(maxRecords: number): Promise<SpoolChunk | undefined>;
  /**
   * Takes a finished file of this tracker's (a synced overflow file, registered with `holdFile`)
   * for replay after the files claimed before it.
   */
  adopt(file: string): Promise<void>;
  /** Claims the files other trackers left behind; returns how many. */
  claimOrphans(): Promise<number>;
  /** Releases this tracker's files: deleted when replayed, otherwise left for the next tracker. */
  close(): Promise<void>;
}

interface SpoolFile {
  path: string;
  handle: FileHandle;
  size: number;
  offset: number;
  own: boolean;
}

const readSize = 1 << 20;

/** Opens the spool in `directory` (created on first append). */
export function createSpool(directory: string, logger: LedgerLogger): Spool {
  const claimed: SpoolFile[] = [];
  let own: SpoolFile | undefined;
  let closed = false;

  async function ownFile(): Promise<SpoolFile> {
    if (own) return own;
    await mkdir(directory, { recursive: true });
    const file = path.join(directory, `spool-${process.pid}-${randomUUID()}.ndjson`);
    holdFile(file);
    try {
      own = { path: file, handle: await open(file, "wx+"), size: 0, offset: 0, own: true };
    } catch (error) {
      releaseFile(file);
      throw error;
    }
    return own;
  }

  async function finish(file: SpoolFile): Promise<void> {
    if (file.own) {
      // Everything in our own file is written: start it afresh rather than growing it forever.
      await file.handle.truncate(0);
      file.size = 0;
      file.offset = 0;
      return;
    }
    await file.handle.close();
    await unlink(file.path).catch(() => {});
    releaseFile(file.path);
    claimed.splice(claimed.indexOf(file), 1);
  }

  return {
    directory,
    async append(records) {
      if (closed) throw new Error("spool is closed");
      const file = await ownFile();
      const data = Buffer.from(records.map((record) => JSON.stringify(record)).join("\n") + "\n");
      try {
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await file.handle.write(
            data,
            written,
            data.length - written,
            file.size + written,
          );
          written += bytesWritten;
        }
        await file.handle.datasync();
      } catch (error) {
        // Never leave half a batch behind: its promises will not say "spooled".
        await file.handle.truncate(file.size).catch(() => {});
        throw error;
      }
      file.size += data.length;
    },
    hasPending() {
      return claimed.length > 0 || (own !== undefined && own.offset < own.size);
    },
    async next(maxRecords) {
      const file = claimed[0] ?? (own && own.offset < own.size ? own : undefined);
      if (!file) return undefined;
      const { records, consumed } = await readRecords(file, maxRecords, logger);
      return {
        records,
        async done() {
          file.offset += consumed;
          if (file.offset >= file.size) await finish(file);
        },
      };
    },
    async adopt(file) {
      const handle = await open(file, "r");
      try {
        claimed.push({ path: file, handle, size: (await handle.stat()).size, offset: 0, own: false });
      } catch (error) {
        await handle.close();
        throw error;
      }
    },
    async claimOrphans() {
      let names: string[];
      try {
        names = await readdir(directory);
      } catch {
        return 0; // no spool directory yet: nothing to claim
      }
      let count = 0;
      for (const name of names.sort()) {
        const match = spoolFilePattern.exec(name);
        if (!match) continue;
        const from = path.join(directory, name);
        if (match[2] !== undefined && isHeld(Number(match[2]), from)) continue;
        const to = path.join(directory, `replay-${process.pid}-${randomUUID()}.ndjson`);
        holdFile(to);
        try {
          await rename(from, to);
          const handle = await open(to, "r");
          claimed.push({ path: to, handle, size: (await stat(to)).size, offset: 0, own: false });
          count++;
        } catch {
          releaseFile(to); // another process claimed it first
        }
      }
      return count;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const file of [...claimed, ...(own ? [own] : [])]) {
        await file.handle.close().catch(() => {});
        if (file.offset >= file.size) await unlink(file.path).catch(() => {});
        else await rename(file.path, path.join(directory, `pending-${randomUUID()}.ndjson`)).catch(() => {});
        releaseFile(file.path);
      }
    },
  };
}

/** Reads up to `maxRecords` whole lines from the file's offset. A torn or corrupt line is logged and skipped. */
async function readRecords(
  file: SpoolFile,
  maxRecords: number,
  logger: LedgerLogger,
): Promise<{ records: NewLlmCostRecord[]; consumed: number }> {
  let size = readSize;
  for (;;) {
    const length = Math.min(size, file.size - file.offset);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.handle.read(buffer, 0, length, file.offset);
    const text = buffer.subarray(0, bytesRead).toString("utf8");
    const records: NewLlmCostRecord[] = [];
    let start = 0;
    while (records.length < maxRecords) {
      const end = text.indexOf("\n", start);
      if (end === -1) break;
      const line = text.slice(start, end);
      start = end + 1;
      try {
        records.push(JSON.parse(line) as NewLlmCostRecord);
      } catch {
        logger.warn(
          { file: file.path, offset: file.offset + start },
          "llm-ledger: skipped a corrupt spool line",
        );
      }
    }
    // Bytes, not characters: the offset is a file position.
    const consumed = Buffer.byteLength(text.slice(0, start));
    if (consumed > 0 || records.length > 0) return { records, consumed };
    if (bytesRead < size) {
      // A last line without its newline: written by a process killed mid-append, never acknowledged.
      logger.warn({ file: file.path }, "llm-ledger: skipped a torn line at the end of a spool file");
      return { records, consumed: file.size - file.offset };
    }
    size *= 2;
  }
}
