import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it, describe } from "vitest";
import { startServer } from "../../src/server/start-server.js";
import net from "node:net";
import { rootCommand } from "../../src/cli/root-command.js";
import { runCli } from "../../src/cli/run-cli.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

describeEachEngine("llm-ledger serve", (context) => {
  it("generates an admin key on the first start only, and manages keys through the admin API from the CLI", async () => {
    const first = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.generatedAdminKey).toMatch(/^llk_/);
      expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ status: "ok" });

      const admin = first.generatedAdminKey!;
      const created = await runLedger(
        ["keys", "create", "--url", first.url, "--name", "ci", "--scopes", "read,ingest", "--json"],
        {
          env: { LLM_LEDGER_ADMIN_KEY: admin },
        },
      );
      expect(created.exitCode, created.stderr).toBe(0);
      const { key, info } = JSON.parse(created.stdout) as {
        key: string;
        info: { id: string; scopes: string[] };
      };
      expect(info.scopes).toEqual(["read", "ingest"]);
      expect(
        (await fetch(`${first.url}/v1/costs`, { headers: { authorization: `Bearer ${key}` } })).status,
      ).toBe(200);

      const listed = await runLedger(["keys", "list", "--url", first.url, "--admin-key", admin]);
      expect(listed.stdout).toMatch(/ci\s+llk_/);
      expect(listed.stdout).not.toContain(key);

      const revoked = await runLedger(["keys", "revoke", info.id, "--url", first.url, "--admin-key", admin]);
      expect(revoked).toMatchObject({ exitCode: 0 });
      expect(
        (await fetch(`${first.url}/v1/costs`, { headers: { authorization: `Bearer ${key}` } })).status,
      ).toBe(401);

      const wrongAdmin = await runLedger(["keys", "list", "--url", first.url, "--admin-key", key]);
      expect(wrongAdmin.exitCode).toBe(1);
      expect(wrongAdmin.stderr).toContain("401");
    } finally {
      await first.close();
    }
    const second = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    expect(second.generatedAdminKey).toBeUndefined();
    await second.close();
  });

  it("takes the admin key from the environment and refuses a short one", async () => {
    await expect(
      startServer({
        database: context.database(),
        schema: context.schema,
        port: 0,
        adminKey: "short",
        logger: silentLogger,
      }),
    ).rejects.toMatchObject({ code: "E_ADMIN_KEY" });
    const adminKey = "an-admin-key-of-enough-length-0001";
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    try {
      const response = await fetch(`${server.url}/v1/admin/keys`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("says which port is taken", async () => {
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    try {
      const port = Number(new URL(server.url).port);
      await expect(
        startServer({ database: context.database(), schema: context.schema, port, logger: silentLogger }),
      ).rejects.toMatchObject({
        code: "E_PORT_IN_USE",
        message: expect.stringContaining(`port ${port}`) as unknown,
      });
    } finally {
      await server.close();
    }
  });
});

describe("llm-ledger serve from the command line", () => {
  it("hints at LLM_LEDGER_ADMIN_KEY, never a command line, for the generated admin key; applies its connection flags", async () => {
    let stdout = "";
    let stop: (signal: string) => void = () => {};
    let listening: (url: string) => void = () => {};
    const url = new Promise<string>((resolve) => (listening = resolve));
    const exitCode = runCli(
      rootCommand,
      [
        "serve",
        "--database-url",
        "memory:",
        "--port",
        "0",
        "--max-connections-per-client",
        "2",
        "--trust-proxy",
      ],
      {
        stdout: {
          write: (text: string) => {
            stdout += text;
            const match = /listening on (\S+)/.exec(stdout);
            if (match && stdout.includes("Ctrl-C")) listening(match[1]!);
          },
        },
        stderr: { write: () => {} },
        env: {},
        cwd: process.cwd(),
        waitForStop: () => new Promise<string>((resolve) => (stop = resolve)),
      },
    );
    const address = new URL(
      await Promise.race([
        url,
        exitCode.then((code) => Promise.reject(new Error(`serve exited with ${code}:\n${stdout}`))),
      ]),
    );
    const sockets = Array.from({ length: 3 }, () => net.connect(Number(address.port), address.hostname));
    const closed = await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<boolean>((resolve) => {
            socket.on("error", () => {});
            socket.once("close", () => resolve(true));
            setTimeout(() => resolve(false), 500);
          }),
      ),
    );
    for (const socket of sockets) socket.destroy();
    stop("SIGTERM");
    expect(await exitCode).toBe(0);
    expect(closed.filter(Boolean)).toHaveLength(1);
    expect(stdout).toMatch(/admin key \(shown once; store it now\): llk_/);
    expect(stdout).toContain("LLM_LEDGER_ADMIN_KEY");
    expect(stdout).not.toContain("--admin-key");
    expect(stdout).toMatch(/llm-ledger keys create --url http:\S+ --name NAME --scopes read/);
  });
});

describe("llm-ledger keys on a database directly", () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it("creates, lists and revokes keys in an embedded database nothing else holds", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-keys-"));
    directories.push(home);
    const env = { LLM_LEDGER_HOME: home };
    const created = await runLedger(["keys", "create", "--name", "reader", "--scopes", "read"], { env });
    expect(created.exitCode, created.stderr).toBe(0);
    // A read key created without --project is the default project's (issue 21).
    expect(created.stdout).toMatch(
      /created key 1 'reader' \(read; project default\); it is shown only now:\nllk_\S+\n$/,
    );
    const revoked = await runLedger(["keys", "revoke", "1"], { env });
    expect(revoked.stdout).toContain("revoked key 1 'reader'");
    const listed = await runLedger(["keys", "list", "--json"], { env });
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id: "1", revokedAt: expect.any(String) as unknown }),
    ]);
    const missing = await runLedger(["keys", "revoke", "99"], { env });
    expect(missing).toMatchObject({ exitCode: 1 });
    const badScope = await runLedger(["keys", "create", "--name", "x", "--scopes", "root"], { env });
    expect(badScope.exitCode).toBe(2);
    expect(badScope.stderr).toContain('--scopes: unknown scope "root"');
  });
});
