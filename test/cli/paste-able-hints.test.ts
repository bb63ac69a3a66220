// Issue 15: hints must work when pasted. In a clone (or a project that installed the package
// locally) `llm-ledger …` is "command not found"; the CLI prints `npx llm-ledger …` there, and
// `llm-ledger …` only when started from a global install on PATH. The dashboard says `npx llm-ledger`
// (it cannot know where the user stands, and npx works in all three places) and that the admin key
// signs in too.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInvocation } from "../../src/cli/cli-invocation.js";
import { rootCommand } from "../../src/cli/root-command.js";
import { runCli } from "../../src/cli/run-cli.js";
import { runLedger } from "../support/cli.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
let binDirectory = "";
beforeAll(async () => {
  binDirectory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-bin-"));
  const bin = path.join(binDirectory, "llm-ledger");
  await writeFile(bin, "#!/bin/sh\n");
  await chmod(bin, 0o755);
});
afterAll(async () => {
  await rm(binDirectory, { recursive: true, force: true });
});

describe("cliInvocation", () => {
  it("says npx llm-ledger when started through npm, even with the bin on npm's PATH", () => {
    expect(
      cliInvocation({ npm_execpath: "/usr/lib/node_modules/npm/bin/npm-cli.js", PATH: binDirectory }),
    ).toBe("npx llm-ledger");
  });

  it("says llm-ledger when an executable llm-ledger is on PATH (a global install), npx llm-ledger otherwise", () => {
    expect(cliInvocation({ PATH: ["/nonexistent", binDirectory].join(path.delimiter) })).toBe("llm-ledger");
    expect(cliInvocation({ PATH: "/nonexistent" })).toBe("npx llm-ledger");
    expect(cliInvocation({})).toBe("npx llm-ledger");
  });
});

describe("hints printed by the CLI", () => {
  it("status on an empty ledger names the commands as the user can type them", async () => {
    const viaNpm = await runLedger(["status", "--database-url", "memory:", "--migrate"], {
      env: { npm_execpath: "npm-cli.js" },
    });
    expect(viaNpm.exitCode, viaNpm.stderr).toBe(0);
    expect(viaNpm.stdout).toContain("'npx llm-ledger --help'");
  });
});

describe("hints printed by serve", () => {
  it("under npm start, the key hint is npx llm-ledger keys create, and the admin key signs in too", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-serve-hints-"));
    let stdout = "";
    let stop: (signal: string) => void = () => {};
    let ready: () => void = () => {};
    const started = new Promise<void>((resolve) => (ready = resolve));
    try {
      const exitCode = runCli(rootCommand, ["serve", "--port", "0", "--database-url", "memory:"], {
        stdout: {
          write: (text: string) => {
            stdout += text;
            if (stdout.includes("Ctrl-C")) ready();
          },
        },
        stderr: { write: () => {} },
        env: { npm_execpath: "npm-cli.js", LLM_LEDGER_HOME: home },
        cwd: home,
        waitForStop: () => new Promise<string>((resolve) => (stop = resolve)),
      });
      await Promise.race([
        started,
        exitCode.then((code) => Promise.reject(new Error(`serve exited ${code}`))),
      ]);
      stop("SIGTERM");
      expect(await exitCode).toBe(0);
      expect(stdout).toMatch(/then create keys with: npx llm-ledger keys create --url http:\S+ --name NAME/);
      expect(stdout).toContain("sign in with a read key (or the admin key)");
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe("hints on the dashboard", () => {
  it("show npx llm-ledger and say the admin key signs in too", async () => {
    const page = await readFile(path.join(root, "public/index.html"), "utf8");
    expect(page).toContain(">npx llm-ledger keys create --name dashboard --scopes read<");
    expect(page).toMatch(/or the admin key/);
    const scripts = [
      await readFile(path.join(root, "public/app.js"), "utf8"),
      await readFile(path.join(root, "public/js/notices.js"), "utf8"),
    ].join("\n");
    // Every command the page shows starts with npx.
    const commands = scripts.match(/[`"][^`"]*llm-ledger (keys|reprice)[^`"]*/g) ?? [];
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const command of commands) expect(command.slice(1)).toMatch(/^npx llm-ledger /);
  });
});
