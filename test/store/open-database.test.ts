import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  defaultDatabaseUrl,
  openDatabase,
  parseDatabaseUrl,
  redactUrl,
} from "../../src/store/engines/index.js";
import {
  describeServer,
  serverUrl,
  sharedPgliteInstance,
  sharedServerPool,
  sharedServerSql,
} from "../support/databases.js";

const temporary: string[] = [];
async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-db-"));
  temporary.push(directory);
  return directory;
}
afterAll(async () => {
  for (const directory of temporary) await rm(directory, { recursive: true, force: true });
});

describe("database URLs", () => {
  it("accepts the three forms", () => {
    expect(parseDatabaseUrl("postgres://u:p@h:5432/d", { cwd: "/x" })).toEqual({
      kind: "postgres",
      url: "postgres://u:p@h:5432/d",
    });
    expect(parseDatabaseUrl("postgresql://h/d", { cwd: "/x" })).toMatchObject({ kind: "postgres" });
    expect(parseDatabaseUrl("pglite:data/db", { cwd: "/x" })).toEqual({
      kind: "pglite",
      directory: "/x/data/db",
    });
    expect(parseDatabaseUrl("pglite:/abs/db", { cwd: "/x" })).toEqual({
      kind: "pglite",
      directory: "/abs/db",
    });
    expect(parseDatabaseUrl("memory:", { cwd: "/x" })).toEqual({ kind: "memory" });
  });

  it("defaults to pglite under the home directory", () => {
    expect(defaultDatabaseUrl({ cwd: "/work" })).toBe("pglite:/work/.llm-ledger/db");
    expect(defaultDatabaseUrl({ cwd: "/work", home: "/var/ledger" })).toBe("pglite:/var/ledger/db");
    expect(defaultDatabaseUrl({ cwd: "/work", home: "rel" })).toBe("pglite:/work/rel/db");
  });

  it("names an unknown scheme and what is accepted, without echoing credentials", () => {
    expect(() => parseDatabaseUrl("mysql://root:hunter2@h/d", { cwd: "/" })).toThrow(
      /unsupported database URL scheme 'mysql:'; accepted: postgres/,
    );
    expect(() => parseDatabaseUrl("mysql://root:hunter2@h/d", { cwd: "/" })).not.toThrow(/hunter2/);
    expect(() => parseDatabaseUrl("pglite:", { cwd: "/" })).toThrow(/needs a directory/);
    expect(() => parseDatabaseUrl("just-a-path", { cwd: "/" })).toThrow(/unsupported database URL/);
  });

  it("hides passwords", () => {
    expect(redactUrl("postgres://user:s3cr%40t@host:5432/db")).toBe("postgres://user:***@host:5432/db");
    expect(redactUrl("postgres://host/db")).toBe("postgres://host/db");
  });
});

describe("opening PGlite", () => {
  it("creates a missing directory with its parents and persists data across opens", async () => {
    const directory = path.join(await temporaryDirectory(), "a", "b", "db");
    const first = await openDatabase({ databaseUrl: `pglite:${directory}` });
    expect(first.description).toBe(`pglite:${directory}`);
    await first.exec("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42);");
    await first.close();
    const second = await openDatabase({ databaseUrl: `pglite:${directory}` });
    expect(await second.query("SELECT n FROM kept")).toEqual([{ n: 42 }]);
    await second.close();
  });

  it("says precisely when the directory cannot be used", async () => {
    const file = path.join(await temporaryDirectory(), "not-a-directory");
    await writeFile(file, "x");
    await expect(openDatabase({ databaseUrl: `pglite:${file}/db` })).rejects.toMatchObject({
      code: "E_DB_DIR",
      message: expect.stringContaining(`${file}/db`) as unknown,
    });
  });

  it("refuses a second opener in this process while the first holds the directory", async () => {
    const directory = await temporaryDirectory();
    const first = await openDatabase({ databaseUrl: `pglite:${directory}` });
    try {
      await expect(openDatabase({ databaseUrl: `pglite:${directory}` })).rejects.toMatchObject({
        code: "E_DB_IN_USE",
      });
    } finally {
      await first.close();
    }
    const again = await openDatabase({ databaseUrl: `pglite:${directory}` });
    await again.close();
  });

  it("refuses a second process with E_DB_IN_USE naming the holder, and opens once it has stopped", async () => {
    const directory = await temporaryDirectory();
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/hold-pglite.ts", directory], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`holder exited early with ${code}`)));
    });
    const error = await openDatabase({ databaseUrl: `pglite:${directory}` }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: "E_DB_IN_USE",
      message: expect.stringContaining(`in use by process ${child.pid}`) as unknown,
    });
    expect((error as Error).message).toContain("use its HTTP API, or use a Postgres server");
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    const database = await openDatabase({ databaseUrl: `pglite:${directory}` });
    expect(await database.query("SELECT n FROM held")).toEqual([{ n: 1 }]);
    await database.close();
  });

  it("takes over a lock left by a process that no longer runs", async () => {
    const directory = await temporaryDirectory();
    const gone = spawn(process.execPath, ["-e", ""]);
    const deadPid = await new Promise<number>((resolve) => gone.on("exit", () => resolve(gone.pid!)));
    await writeFile(path.join(directory, "llm-ledger.lock"), JSON.stringify({ pid: deadPid }));
    const database = await openDatabase({ databaseUrl: `pglite:${directory}` });
    expect(JSON.parse(await readFile(path.join(directory, "llm-ledger.lock"), "utf8"))).toMatchObject({
      pid: process.pid,
    });
    await database.close();
  });

  it("leaves a PGlite instance the caller handed in open", async () => {
    const pglite = await sharedPgliteInstance();
    const database = await openDatabase({ pglite });
    await database.close();
    expect(await pglite.query("SELECT 1 AS one")).toMatchObject({ rows: [{ one: 1 }] });
  });

  it("rejects two sources at once", async () => {
    await expect(
      openDatabase({ databaseUrl: "memory:", pglite: await sharedPgliteInstance() }),
    ).rejects.toMatchObject({
      code: "E_OPTIONS",
    });
  });

  it("returns BIGINT and NUMERIC as exact strings", async () => {
    const database = await openDatabase({ pglite: await sharedPgliteInstance() });
    expect(
      await database.query("SELECT 9007199254740993::bigint AS big, 0.000000000001::numeric(20,12) AS tiny"),
    ).toEqual([{ big: "9007199254740993", tiny: "0.000000000001" }]);
  });
});

describeServer("opening a Postgres server", () => {
  it("connects, and returns BIGINT and NUMERIC as exact strings", async () => {
    const database = await openDatabase({ databaseUrl: serverUrl });
    expect(database.engine).toBe("postgres");
    expect(
      await database.query("SELECT 9007199254740993::bigint AS big, 0.000000000001::numeric(20,12) AS tiny"),
    ).toEqual([{ big: "9007199254740993", tiny: "0.000000000001" }]);
    await database.close();
  });

  it("names an unreachable server without printing the password", async () => {
    const error = await openDatabase({ databaseUrl: "postgres://postgres:hunter2@127.0.0.1:1/test" }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "E_DB_UNREACHABLE" });
    expect((error as Error).message).toContain("postgres://postgres:***@127.0.0.1:1/test");
    expect((error as Error).message).not.toContain("hunter2");
  });

  it("names a database that does not exist", async () => {
    const url = new URL(serverUrl!);
    url.pathname = "/no_such_database_llm_ledger";
    await expect(openDatabase({ databaseUrl: url.href })).rejects.toMatchObject({ code: "E_DB_NOT_FOUND" });
  });

  it("leaves a postgres.js client the caller handed in open, and writes through it", async () => {
    const sql = sharedServerSql();
    const database = await openDatabase({ sql });
    expect("copyFrom" in database).toBe(false);
    expect(await database.transaction((transaction) => transaction.query("SELECT 2 AS two"))).toEqual([
      { two: 2 },
    ]);
    await database.close();
    expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  });

  it("leaves a node-postgres pool the caller handed in open", async () => {
    const pool = sharedServerPool();
    const database = await openDatabase({ pool });
    expect(await database.query("SELECT 3 AS three")).toEqual([{ three: 3 }]);
    await database.close();
    expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("refuses two clients at once", async () => {
    await expect(openDatabase({ pool: sharedServerPool(), sql: sharedServerSql() })).rejects.toMatchObject({
      code: "E_OPTIONS",
    });
  });
});
