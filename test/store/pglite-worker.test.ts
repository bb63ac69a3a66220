// PGlite in its worker thread (the default for a database llm-ledger opens itself): the same answers
// as PGlite on the caller's thread, errors with their Postgres fields, transactions held open across
// messages, and an event loop that never waits for the database.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/store/database.js";
import { isLedgerError } from "../../src/errors.js";
import { openPglite, pgliteDatabase } from "../../src/store/engines/pglite-database.js";
import { openPgliteWorker } from "../../src/store/engines/pglite-worker-database.js";
import { createTelemetryStore } from "../../src/store/telemetry-store.js";

describe("PGlite in a worker thread", () => {
  let database: Database;

  beforeAll(async () => {
    database = await openPglite(undefined);
    await database.exec("CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL, amount numeric)");
  }, 60_000);

  afterAll(async () => {
    await database.close();
  });

  it("reports where it runs", () => {
    expect(database.engine).toBe("pglite");
    expect(database.onCallerThread).toBe(false);
    expect(database.description).toBe("memory:");
  });

  it("returns values normalised exactly as PGlite on the caller's thread does", async () => {
    const statement = `SELECT 9007199254740993::int8 AS big, 1.10::numeric AS money, now() AS at,
      '{"a":[1,"x"]}'::jsonb AS doc, ARRAY['a','b'] AS list, NULL::text AS nothing, true AS yes,
      $1::text AS echoed, $2::timestamptz AS stamp`;
    const params = ["it's", new Date("2026-01-02T03:04:05.678Z")];
    const inWorker = await database.query(statement, params);
    const pglite = await PGlite.create();
    try {
      const onThread = await pgliteDatabase(pglite, { owned: false, description: "x" }).query(
        statement,
        params,
      );
      expect({ ...inWorker[0], at: undefined }).toEqual({ ...onThread[0], at: undefined });
    } finally {
      await pglite.close();
    }
    expect(inWorker[0]).toMatchObject({ big: "9007199254740993", money: "1.10", doc: { a: [1, "x"] } });
    expect(inWorker[0]?.at).toBeInstanceOf(Date);
    expect(inWorker[0]?.stamp).toEqual(params[1]);
  }, 60_000);

  it("rejects with the database's error code and fields, and stays usable", async () => {
    await database.query("INSERT INTO items VALUES (1, 'one', 1)");
    const duplicate = await database
      .query("INSERT INTO items VALUES (1, 'again', 1)")
      .catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(Error);
    expect(duplicate).toMatchObject({ code: "23505", constraint: "items_pkey" });
    const missing = await database.query("SELECT * FROM no_such_table").catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "42P01" });
    expect((missing as Error).message).toContain("no_such_table");
    expect(await database.query("SELECT count(*)::int AS n FROM items")).toEqual([{ n: 1 }]);
  });

  it("rejects a parameter that cannot cross threads without running anything", async () => {
    const error = await database
      .query("INSERT INTO items VALUES (2, $1, 1)", [() => "a function"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(await database.query("SELECT count(*)::int AS n FROM items WHERE id = 2")).toEqual([{ n: 0 }]);
  });

  it("commits a transaction's statements together and rolls all of them back when the work throws", async () => {
    await database.transaction(async (transaction) => {
      await transaction.query("INSERT INTO items VALUES (10, 'ten', 10)");
      await transaction.query("INSERT INTO items VALUES (11, 'eleven', 11)");
    });
    const failed = await database
      .transaction(async (transaction) => {
        await transaction.query("INSERT INTO items VALUES (12, 'twelve', 12)");
        throw new Error("changed my mind");
      })
      .catch((e: unknown) => e);
    expect(failed).toMatchObject({ message: "changed my mind" });
    const failedInSql = await database
      .transaction(async (transaction) => {
        await transaction.query("INSERT INTO items VALUES (13, 'thirteen', 13)");
        await transaction.query("INSERT INTO items VALUES (10, 'ten again', 10)");
      })
      .catch((e: unknown) => e);
    expect(failedInSql).toMatchObject({ code: "23505" });
    const rows = await database.query<{ id: number }>("SELECT id FROM items WHERE id >= 10 ORDER BY id");
    expect(rows.map((row) => row.id)).toEqual([10, 11]);
  });

  it("holds a statement from outside an open transaction back until the transaction ends", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const transaction = database.transaction(async (tx) => {
      await tx.query("INSERT INTO items VALUES (20, 'twenty', 20)");
      await held;
      order.push("commit");
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const outside = database
      .query<{ n: number }>("SELECT count(*)::int AS n FROM items WHERE id = 20")
      .then((rows) => {
        order.push("outside");
        return rows;
      });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    release();
    await transaction;
    expect(await outside).toEqual([{ n: 1 }]);
    expect(order).toEqual(["commit", "outside"]);
  });

  it("bulk loads with COPY, inside a transaction too", async () => {
    await database.copyFrom!("items", ["id", "label", "amount"], "30\tthirty\t30.5\n31\tthirty-one\t\\N\n");
    await database.transaction((tx) =>
      tx.copyFrom!("items", ["id", "label", "amount"], "32\tthirty-two\t32\n"),
    );
    const rows = await database.query("SELECT id, label, amount FROM items WHERE id >= 30 ORDER BY id");
    expect(rows).toEqual([
      { id: 30, label: "thirty", amount: "30.5" },
      { id: 31, label: "thirty-one", amount: null },
      { id: 32, label: "thirty-two", amount: "32" },
    ]);
  });

  it("keeps the event loop running while a long statement runs", async () => {
    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    await database.query("SELECT sum(x) FROM generate_series(1, 3000000) AS x");
    const took = performance.now() - started;
    clearInterval(ticker);
    // The statement takes hundreds of milliseconds; on the caller's thread no timer could fire meanwhile.
    expect(took).toBeGreaterThan(100);
    expect(longestGap).toBeLessThan(took / 2);
  });

  it("closes within its timeout even while a transaction that never ends holds PGlite", async () => {
    const own = await openPgliteWorker(undefined, { description: "memory:", closeTimeoutMs: 300 });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    void own.transaction(async (tx) => {
      await tx.query("SELECT 1");
      entered();
      await new Promise(() => {});
    });
    await inside;
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    await expect(own.query("SELECT 1")).rejects.toMatchObject({ code: "E_DB_CLOSED" });
  }, 60_000);

  it("refuses statements after close with E_DB_CLOSED, and closes once", async () => {
    const own = await openPglite(undefined);
    await own.query("SELECT 1");
    await Promise.all([own.close(), own.close()]);
    await expect(own.query("SELECT 1")).rejects.toMatchObject({ code: "E_DB_CLOSED" });
  }, 60_000);
});

describe("where PGlite runs", () => {
  it("runs on the caller's thread when asked, with the store's short batches", async () => {
    const store = await createTelemetryStore({ databaseUrl: "memory:", pgliteThread: "caller" });
    try {
      expect(store.database.onCallerThread).toBe(true);
      expect([store.maxBatchSize, store.maxConcurrentWrites]).toEqual([250, 1]);
      const [row] = await store.database.query<{ events: string }>(
        "SELECT count(*)::int8 AS events FROM llm_cost_events",
      );
      expect(row).toEqual({ events: "0" });
    } finally {
      await store.close();
    }
  }, 60_000);

  it("reports a database the worker cannot open as E_DB_OPEN, without falling back", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ledger-worker-bad-"));
    try {
      // A data directory whose PG_VERSION names another major version: PGlite refuses it.
      fs.writeFileSync(path.join(directory, "PG_VERSION"), "9\n");
      const error = await openPglite(directory).catch((e: unknown) => e);
      expect(isLedgerError(error, "E_DB_OPEN")).toBe(true);
      expect(error).toMatchObject({ workerUnavailable: false });
      expect((error as Error).message).toContain(`pglite:${directory}`);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("a process whose tracker writes into PGlite's worker", () => {
  it("flushes on beforeExit without close(), then exits by itself", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ledger-worker-exit-"));
    try {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/fixtures/track-without-close.ts", directory, "250"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("exit", (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      const reopened = await openPglite(directory);
      try {
        const rows = await reopened.query(
          "SELECT count(*)::int AS n, sum(input_tokens)::text AS tokens FROM llm_cost_events",
        );
        // 100 + 101 + … + 349
        expect(rows).toEqual([{ n: 250, tokens: String((250 * (100 + 349)) / 2) }]);
      } finally {
        await reopened.close();
      }
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  }, 90_000);
});
