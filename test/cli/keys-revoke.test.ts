// Issue 15: `keys revoke` of a key already revoked says so (exit 0: the key is revoked, as asked)
// instead of "revoked" a second time; directly on the database and through a server's admin API.
import { expect, it } from "vitest";
import { startServer } from "../../src/server/start-server.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine, serverUrl } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

describeEachEngine("keys revoke twice", (context) => {
  it("says the key was already revoked, through the admin API", async () => {
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    try {
      const env = { LLM_LEDGER_ADMIN_KEY: server.generatedAdminKey! };
      const target = ["--url", server.url];
      const created = await runLedger(
        ["keys", "create", "--name", "twice", "--scopes", "read", "--json", ...target],
        { env },
      );
      const { info } = JSON.parse(created.stdout) as { info: { id: string; prefix: string } };

      const first = await runLedger(["keys", "revoke", info.id, ...target], { env });
      expect(first).toMatchObject({ exitCode: 0, stdout: `revoked key ${info.id} 'twice'\n` });
      for (const again of [info.id, info.prefix]) {
        const second = await runLedger(["keys", "revoke", again, ...target], { env });
        expect(second.exitCode).toBe(0);
        expect(second.stdout).toMatch(
          new RegExp(`^key ${info.id} 'twice' was already revoked \\(at .+\\); nothing changed\\n$`),
        );
      }
      const missing = await runLedger(["keys", "revoke", "999999", ...target], { env });
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toContain("no key with id or prefix '999999'");
    } finally {
      await server.close();
    }
  });

  it.runIf(context.engine === "postgres" && serverUrl)("says so directly on the database", async () => {
    const target = ["--database-url", serverUrl!, "--schema", context.schema];
    const created = await runLedger([
      "keys",
      "create",
      "--name",
      "direct",
      "--scopes",
      "read",
      "--json",
      ...target,
    ]);
    const { info } = JSON.parse(created.stdout) as { info: { id: string } };
    expect((await runLedger(["keys", "revoke", info.id, ...target])).stdout).toContain("revoked key");
    const second = await runLedger(["keys", "revoke", info.id, ...target]);
    expect(second).toMatchObject({ exitCode: 0 });
    expect(second.stdout).toContain(`key ${info.id} 'direct' was already revoked`);
  });
});
