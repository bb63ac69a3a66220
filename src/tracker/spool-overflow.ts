// The spool's overflow: where events go when the tracker's queue holds `maxQueue` events and more
// arrive before the background writer can take any (a synchronous burst). Each such event is priced
// and appended at once, on the caller's thread, to an overflow file of its own — never the spool's
// own file, whose appends are asynchronous and would interleave with these. At the end of the
// event-loop turn the file is synced once, handed to the spool for replay like any spool file, and
// its events resolve `spooled`; the next burst starts a new file. The caller pays these writes only
// in such a burst, and memory stays bounded by `maxQueue` plus one buffer of lines.
import { randomUUID } from "node:crypto";
import { closeSync, fdatasync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import type { NewLlmCostRecord } from "../store/cost-record.js";
import { holdFile, releaseFile } from "../this-process.js";

/** Lines kept before they are written: one `write` per this many bytes, not one per event. */
const bufferBytes = 64 * 1024;

export interface SpoolOverflow {
  /**
   * Appends one record to the current overflow file (throws only if no file can be created).
   * `synced` is called with true once the file is synced and handed to the spool, false if a write,
   * the sync or the hand-over failed (the file is then deleted: none of its events is replayed).
   */
  append(record: NewLlmCostRecord, synced: (ok: boolean) => void): void;
  /** Resolves once every record appended so far is synced (or failed) and settled. */
  settled(): Promise<void>;
}

interface OverflowFile {
  path: string;
  descriptor: number;
  lines: string[];
  bytes: number;
  waiters: ((ok: boolean) => void)[];
  /** The first write that failed: the whole file is then given up at the seal. */
  failure: Error | undefined;
}

/**
 * Creates the overflow of the spool in `directory`. `adopt` hands a synced file to the spool;
 * `onError` hears a failed sync (its events are then settled with `false`, and the file deleted).
 */
export function createSpoolOverflow(options: {
  directory: string;
  adopt: (file: string) => Promise<void>;
  onError: (error: unknown) => void;
}): SpoolOverflow {
  let current: OverflowFile | undefined;
  let sealing: Promise<void> = Promise.resolve();

  function open(): OverflowFile {
    mkdirSync(options.directory, { recursive: true });
    const file = path.join(options.directory, `overflow-${process.pid}-${randomUUID()}.ndjson`);
    const descriptor = openSync(file, "wx");
    holdFile(file);
    const opened: OverflowFile = {
      path: file,
      descriptor,
      lines: [],
      bytes: 0,
      waiters: [],
      failure: undefined,
    };
    // Everything appended in this event-loop turn shares one sync.
    setImmediate(() => {
      current = undefined;
      sealing = sealing.then(() => seal(opened));
    });
    return opened;
  }

  function writeLines(file: OverflowFile): void {
    if (file.lines.length === 0 || file.failure !== undefined) return;
    const data = Buffer.from(file.lines.join(""));
    file.lines = [];
    file.bytes = 0;
    for (let written = 0; written < data.length;) {
      written += writeSync(file.descriptor, data, written, data.length - written);
    }
  }

  async function seal(file: OverflowFile): Promise<void> {
    let ok = true;
    try {
      writeLines(file);
      if (file.failure !== undefined) throw file.failure;
      await new Promise<void>((resolve, reject) =>
        fdatasync(file.descriptor, (error) => (error ? reject(error) : resolve())),
      );
      closeSync(file.descriptor);
      await options.adopt(file.path);
    } catch (error) {
      ok = false;
      options.onError(error);
      try {
        closeSync(file.descriptor);
      } catch {
        // already closed
      }
      // Its events will not say "spooled": none of them may be replayed later.
      try {
        unlinkSync(file.path);
      } catch {
        // nothing to delete
      }
      releaseFile(file.path);
    }
    for (const synced of file.waiters) synced(ok);
  }

  return {
    append(record, synced) {
      const file = (current ??= open());
      const line = JSON.stringify(record) + "\n";
      file.lines.push(line);
      file.bytes += line.length;
      file.waiters.push(synced);
      if (file.bytes < bufferBytes) return;
      try {
        writeLines(file);
      } catch (error) {
        file.failure = error instanceof Error ? error : new Error(String(error));
        file.lines = [];
      }
    },
    async settled() {
      // A file opened this turn is sealed at the turn's end: wait for that turn to pass first.
      if (current) await new Promise<void>((resolve) => setImmediate(resolve));
      await sealing;
    },
  };
}
