// The budget cycle's grouped statements run with JIT off on a server (compiling their large plans
// cost seconds at 10M events), and only they: the connection goes back to the pool with the server's
// setting, so raw-event reports keep JIT. On PGlite (no JIT) the statement runs as it is.
import { expect, it } from "vitest";
import { queryWithoutJit } from "../../src/query/query-without-jit.js";
import { describeEachEngine } from "../support/databases.js";

describeEachEngine("queryWithoutJit", (context) => {
  it("answers the statement with its parameters, JIT off inside it only", async () => {
    const database = context.database();
    const rows = await queryWithoutJit<{ jit: string; doubled: number }>(
      database,
      "SELECT current_setting('jit', true) AS jit, $1::int * 2 AS doubled",
      [21],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.doubled).toBe(42);
    if (context.engine === "postgres") {
      expect(rows[0]!.jit).toBe("off");
      // Every pooled connection afterwards has the server's own setting again.
      const [server] = await database.query<{ jit: string }>(
        "SELECT reset_val AS jit FROM pg_settings WHERE name = 'jit'",
      );
      const after = await Promise.all(
        Array.from({ length: 4 }, () =>
          database.query<{ jit: string }>("SELECT current_setting('jit') AS jit"),
        ),
      );
      expect(after.map((row) => row[0]!.jit)).toEqual(Array(4).fill(server!.jit));
    }
  });

  it("fails with the statement's own error and leaves no transaction open", async () => {
    const database = context.database();
    await expect(queryWithoutJit(database, "SELECT 1 / $1::int", [0])).rejects.toThrow(/division by zero/);
    const [row] = await database.query<{ one: number }>("SELECT 1 AS one");
    expect(row!.one).toBe(1);
  });
});
