// `serve --otlp-attribution FILE`: the server's config changes which span attributes give an event's
// dimensions; a file that cannot be read or is not a valid mapping is a usage error before the start.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSpanAttribution } from "../../src/integrations/opentelemetry/index.js";
import { rootCommand } from "../../src/cli/root-command.js";
import { runCli } from "../../src/cli/run-cli.js";
import { runLedger } from "../support/cli.js";

const adminKey = "serve-otlp-attribution-admin-key-0123";
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-otlp-attribution-"));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

describe("the OTLP attribution config", () => {
  it("refuses unknown keys, empty or non-text lists and blank fallbacks, naming them", () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /must be a JSON object/],
      [{ repos: ["x"] }, /unknown key "repos"/],
      [{ repo: [] }, /"repo" must be a non-empty list/],
      [{ userId: ["user.id", 7] }, /"userId" must be a non-empty list/],
      [{ fallbackRepo: "  " }, /"fallbackRepo" must be a non-blank name/],
    ];
    for (const [value, message] of cases) {
      expect(() => parseSpanAttribution(value), JSON.stringify(value)).toThrow(message);
    }
    expect(parseSpanAttribution({ repo: ["app.name"], fallbackTaskType: "misc" })).toEqual({
      repo: ["app.name"],
      fallbackTaskType: "misc",
    });
  });

  it("is a usage error on the command line when the file is missing or invalid", async () => {
    const invalid = path.join(directory, "invalid.json");
    await writeFile(invalid, '{"repo": "app.name"}');
    const bad = await runLedger([
      "serve",
      "--database-url",
      "memory:",
      "--port",
      "0",
      "--otlp-attribution",
      invalid,
    ]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('"repo" must be a non-empty list of attribute names');
    const missing = await runLedger([
      "serve",
      "--port",
      "0",
      "--otlp-attribution",
      path.join(directory, "none.json"),
    ]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("--otlp-attribution: cannot read");
  });

  it("maps span attributes as the file says on a running service", async () => {
    const file = path.join(directory, "attribution.json");
    await writeFile(file, JSON.stringify({ repo: ["app.name"], fallbackTaskType: "misc" }));
    let stdout = "";
    let stop: (signal: string) => void = () => {};
    let listening: (url: string) => void = () => {};
    const url = new Promise<string>((resolve) => (listening = resolve));
    const exitCode = runCli(
      rootCommand,
      ["serve", "--database-url", "memory:", "--port", "0", "--otlp-attribution", file],
      {
        stdout: {
          write: (text: string) => {
            stdout += text;
            const match = /listening on (\S+)/.exec(stdout);
            if (match && stdout.includes("Ctrl-C")) listening(match[1]!);
          },
        },
        stderr: { write: () => {} },
        env: { LLM_LEDGER_ADMIN_KEY: adminKey },
        cwd: process.cwd(),
        waitForStop: () => new Promise<string>((resolve) => (stop = resolve)),
      },
    );
    const base = await Promise.race([
      url,
      exitCode.then((code) => Promise.reject(new Error(`serve exited with ${code}:\n${stdout}`))),
    ]);
    try {
      const headers = { authorization: `Bearer ${adminKey}`, "content-type": "application/json" };
      const end = String(BigInt(Date.now()) * 1_000_000n);
      const attribute = (key: string, value: string | number) => ({
        key,
        value: typeof value === "number" ? { intValue: value } : { stringValue: value },
      });
      const posted = await fetch(`${base}/v1/traces`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [attribute("service.name", "svc"), attribute("app.name", "billing")] },
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
                      spanId: "00f067aa0ba902b7",
                      name: "chat",
                      startTimeUnixNano: end,
                      endTimeUnixNano: end,
                      attributes: [
                        attribute("gen_ai.request.model", "gpt-4o-mini"),
                        attribute("gen_ai.usage.input_tokens", 10),
                        attribute("gen_ai.usage.output_tokens", 1),
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(posted.status).toBe(200);
      const listed = (await (await fetch(`${base}/v1/events`, { headers })).json()) as {
        events: Array<{ repo: string; taskType: string }>;
      };
      expect(listed.events.map((event) => [event.repo, event.taskType])).toEqual([["billing", "misc"]]);
    } finally {
      stop("SIGTERM");
      expect(await exitCode).toBe(0);
    }
  });
});
