// The spooling sink on its own, over an in-memory sink that fails and then recovers, with a real
// spool directory: what lands in the spool file, in which order, and how it is replayed.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import type { NewLlmCostRecord } from "../../src/store/cost-record.js";
import type { EventSink, SinkWriteResult } from "../../src/tracker/event-sink.js";
import { createSpoolingSink, type SpoolingSinkOptions } from "../../src/tracker/spooling-sink.js";
import { memorySink, newRecord } from "./memory-sink.js";
import { memoryLogger } from "../support/loggers.js";
import { tempSpoolDir } from "./support.js";

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await pause(2);
  }
}

const records = (count: number) => Array.from({ length: count }, () => newRecord());
const ids = (batch: readonly NewLlmCostRecord[]) => batch.map((record) => record.eventId);

/** The event ids in the spool files of `directory` whose names start with `prefix`, in line order. */
function spooledIds(directory: string, prefix = "spool-"): string[] {
  return readdirSync(directory)
    .filter((name) => name.startsWith(prefix))
    .flatMap((name) => readFileSync(path.join(directory, name), "utf8").split("\n"))
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as NewLlmCostRecord).eventId);
}

/** A spooling sink over `sink` in `directory`, with what its hooks heard. */
function spoolingOver(sink: EventSink, directory: string, extra: Partial<SpoolingSinkOptions> = {}) {
  const heard = { errors: [] as unknown[], retries: 0, wakes: 0, replayed: [] as SinkWriteResult[] };
  const logger = memoryLogger();
  const spooling = createSpoolingSink({
    sink,
    directory,
    logger,
    retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 20 },
    replayBatchSize: 3,
    mustDrop: () => false,
    keepAlive: () => false,
    wake: () => heard.wakes++,
    onError: (error) => heard.errors.push(error),
    onRetry: () => heard.retries++,
    onReplayed: (result) => heard.replayed.push(result),
    ...extra,
  });
  return { spooling, heard, logger };
}

describe("spooling sink", () => {
  it("spools a batch the sink fails, synced in the spool file, and replays the spool in order once it is back", async () => {
    const sink = memorySink();
    sink.down = true;
    const directory = tempSpoolDir();
    const { spooling, heard, logger } = spoolingOver(sink, directory);
    const first = records(4);
    const second = records(3);
    expect(await spooling.recordLlmCosts(first)).toMatchObject({ inserted: 0, spooled: true });
    expect(spooledIds(directory)).toEqual(ids(first));
    expect(spooling.diverting()).toBe(true);
    // While the sink is down, batches go straight to the spool, behind the first.
    expect(await spooling.divert(second)).toMatchObject({ spooled: true });
    expect(sink.attempts).toHaveLength(1);
    expect(spooledIds(directory)).toEqual([...ids(first), ...ids(second)]);

    // A probe while the sink is still down fails and keeps diverting.
    await until(() => spooling.ready(), "a probe is due");
    await spooling.step();
    expect(spooling.diverting()).toBe(true);
    expect(heard.errors).toHaveLength(1);

    sink.down = false;
    await until(() => spooling.ready(), "the next probe is due");
    while (spooling.ready()) await spooling.step();
    expect(spooling.diverting()).toBe(false);
    expect(sink.stored).toEqual([...ids(first), ...ids(second)]);
    expect(sink.attempts.slice(-3).map((chunk) => chunk.length)).toEqual([3, 3, 1]);
    expect(heard.replayed.reduce((sum, result) => sum + result.inserted, 0)).toBe(7);
    expect(logger.entries.map((entry) => entry.message)).toContain(
      "llm-ledger: the store is reachable again; replaying the spool",
    );
    expect(spooledIds(directory)).toEqual([]); // replayed: the file starts afresh
    await spooling.release(Date.now());
    expect(readdirSync(directory)).toEqual([]);
  });

  it("spools a later batch that failed first only after the earlier one, so the spool keeps their order", async () => {
    const gates: { records: readonly NewLlmCostRecord[]; fail: () => void }[] = [];
    const reset = () => Object.assign(new Error("connection reset"), { code: "ECONNRESET" });
    const gated: EventSink = {
      close: async () => {},
      // The first two writes wait for the test to fail them; later ones (the replay) fail at once.
      recordLlmCosts: (batch) =>
        new Promise((_resolve, reject) =>
          gates.length >= 2
            ? reject(reset())
            : gates.push({
                records: batch,
                fail: () => reject(reset()),
              }),
        ),
    };
    const directory = tempSpoolDir();
    const { spooling } = spoolingOver(gated, directory);
    const earlier = records(2);
    const later = records(2);
    const answers = [spooling.recordLlmCosts(earlier), spooling.recordLlmCosts(later)];
    await until(() => gates.length === 2, "both writes reached the sink");
    gates[1]!.fail();
    await pause(20);
    expect(spooledIds(directory)).toEqual([]); // waits for the earlier write
    gates[0]!.fail();
    expect(await Promise.all(answers)).toMatchObject([{ spooled: true }, { spooled: true }]);
    expect(spooledIds(directory)).toEqual([...ids(earlier), ...ids(later)]);
    await spooling.release(Date.now());
  });

  it("leaves what it could not replay by the deadline for the next one, which claims and replays it", async () => {
    const down = memorySink();
    down.down = true;
    const directory = tempSpoolDir();
    const batch = records(5);
    const { spooling } = spoolingOver(down, directory);
    await spooling.recordLlmCosts(batch);
    await spooling.release(Date.now() + 50);
    expect(spooledIds(directory, "pending-")).toEqual(ids(batch));

    const up = memorySink();
    const next = spoolingOver(up, directory);
    await next.spooling.open();
    expect(next.logger.entries.map((entry) => entry.message)).toContain(
      "llm-ledger: replaying events spooled by an earlier tracker",
    );
    expect(readdirSync(directory).every((name) => name.startsWith("replay-"))).toBe(true);
    await next.spooling.release(Date.now() + 1_000);
    expect(up.stored).toEqual(ids(batch));
    expect(readdirSync(directory)).toEqual([]);
  });

  it("passes a refusal through without spooling it", async () => {
    const refusing: EventSink = {
      close: async () => {},
      recordLlmCosts: () => Promise.reject(Object.assign(new Error("bad row"), { transient: false })),
    };
    const directory = tempSpoolDir();
    const { spooling } = spoolingOver(refusing, directory);
    await expect(spooling.recordLlmCosts(records(2))).rejects.toThrow("bad row");
    expect(readdirSync(directory)).toEqual([]);
    expect(spooling.diverting()).toBe(false);
    await spooling.release(Date.now());
  });

  it("when the disk refuses the spool too: keeps trying the sink while events may wait, else says E_SPOOL_WRITE", async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), "llm-ledger-spool-"));
    const notADirectory = path.join(parent, "file");
    writeFileSync(notADirectory, "");
    const sink = memorySink();
    sink.down = true;
    let mustDrop = false;
    const { spooling, heard, logger } = spoolingOver(sink, path.join(notADirectory, "spool"), {
      mustDrop: () => mustDrop,
    });
    const kept = records(2);
    const answer = spooling.recordLlmCosts(kept);
    await until(() => heard.retries >= 2, "the sink is tried again");
    sink.down = false;
    expect(await answer).toMatchObject({ inserted: 2 });
    expect(sink.stored).toEqual(ids(kept));
    expect(logger.entries.map((entry) => entry.message)).toContain(
      "llm-ledger: cannot write the spool; keeping events in memory",
    );

    sink.down = true;
    mustDrop = true;
    const thrown = await spooling.recordLlmCosts(records(1)).catch((error: unknown) => error);
    expect(isLedgerError(thrown, "E_SPOOL_WRITE")).toBe(true);
    await spooling.release(Date.now());
  });

  it("arms a probe when the writer goes idle while diverting, and none when closing", async () => {
    const sink = memorySink();
    sink.down = true;
    const directory = tempSpoolDir();
    const { spooling, heard } = spoolingOver(sink, directory);
    await spooling.recordLlmCosts(records(1));
    spooling.idle(true);
    await pause(40);
    expect(heard.wakes).toBe(0);
    spooling.idle(false);
    spooling.idle(false); // one probe at a time
    await until(() => heard.wakes === 1, "the probe wakes the writer");
    await pause(40);
    expect(heard.wakes).toBe(1);
    spooling.stopProbing();
    await spooling.release(Date.now());
  });
});
