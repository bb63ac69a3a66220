// Issue 15: `serve --demo --database-url postgres://…` silently ignored the URL; it is now a usage
// error (the demo runs on an in-memory database of its own), refused before anything starts.
import { describe, expect, it } from "vitest";
import { runLedger } from "../support/cli.js";

describe("serve --demo", () => {
  it("refuses --database-url beside it with one line and exit 2", async () => {
    const run = await runLedger([
      "serve",
      "--demo",
      "--database-url",
      "postgres://127.0.0.1:1/none",
      "--port",
      "0",
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(
      "--demo runs on an in-memory database of its own and cannot use --database-url",
    );
  });
});
