import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CommandDefinition } from "../../src/cli/command.js";
import { pricingCommand } from "../../src/cli/commands/pricing.js";
import { runCli } from "../../src/cli/run-cli.js";
import { catalogCacheFile, fetchText } from "../../src/pricing-updates/index.js";
import { createPricing } from "../../src/pricing/index.js";
import { runLedger } from "../support/cli.js";
import { catalogBundle, startCatalogServer, type CatalogServer } from "../support/catalog-server.js";

const root: CommandDefinition = { name: "llm-ledger", summary: "test root", subcommands: [pricingCommand] };
const shippedDate = createPricing().catalogDate;
const shippedSonnetInput = createPricing().estimateCost({
  model: "claude-sonnet-4-5",
  usage: { inputTokens: 1_000_000, outputTokens: 0 },
}).costUsd;

let server: CatalogServer;
let home: string;

async function ledger(argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const exitCode = await runCli(root, argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: { LLM_LEDGER_HOME: home, ...env },
    cwd: process.cwd(),
  });
  return { exitCode, stdout, stderr };
}

/** What the next CLI run charges for a million Claude Sonnet 4.5 input tokens. */
async function sonnetInputPrice(): Promise<string> {
  const run = await ledger([
    "pricing",
    "estimate",
    "--model",
    "claude-sonnet-4-5",
    "--input",
    "1000000",
    "--json",
  ]);
  return (JSON.parse(run.stdout) as { costUsd: string }).costUsd;
}

async function status(): Promise<{ origin: string; date: string; version: string; source: string }> {
  return JSON.parse((await ledger(["pricing", "status", "--json"])).stdout) as never;
}

function update(path: string, ...flags: string[]) {
  return ledger(["pricing", "update", "--from", `${server.url}${path}`, "--allow-internal-urls", ...flags]);
}

function publish(path: string, body: unknown, statusCode = 200) {
  server.answers.set(path, {
    status: statusCode,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  server = await startCatalogServer();
});
afterAll(() => server.close());
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "llm-ledger-home-"));
  server.answers.clear();
  server.requests.length = 0;
});

describe("pricing update", () => {
  it("takes a newer catalog, caches it, and the next CLI run prices and reports with it", async () => {
    expect(await status()).toMatchObject({ origin: "shipped", date: shippedDate, overridesFile: null });
    publish("/catalog.json", catalogBundle("2099-01-01", "7.5"));
    const run = await update("/catalog.json");
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("updated the pricing catalog to 2099-01-01");
    // The cache holds the bundle as published: an application can price with the same file.
    expect(JSON.parse(readFileSync(catalogCacheFile(home), "utf8"))).toMatchObject({ date: "2099-01-01" });
    const library = createPricing({ catalog: catalogCacheFile(home) });
    expect(
      library.estimateCost({ model: "claude-sonnet-4-5", usage: { inputTokens: 1e6, outputTokens: 0 } })
        .costUsd,
    ).toBe("7.5");
    expect(await sonnetInputPrice()).toBe("7.5");
    expect(await status()).toMatchObject({
      origin: "cached",
      date: "2099-01-01",
      version: "2099-01-01",
      source: `${server.url}/catalog.json`,
    });
    const again = await update("/catalog.json");
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("already in force");
  });

  it("never replaces a newer catalog with an older one", async () => {
    publish("/new.json", catalogBundle("2099-01-01", "7.5", 2));
    expect((await update("/new.json")).exitCode).toBe(0);
    const cached = readFileSync(catalogCacheFile(home), "utf8");
    for (const older of [catalogBundle("2098-12-31", "1"), catalogBundle("2099-01-01", "1", 1)]) {
      publish("/old.json", older);
      const run = await update("/old.json");
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/E_PRICING_STALE.*older than the catalog in force \(2099-01-01\.2/);
      expect(readFileSync(catalogCacheFile(home), "utf8")).toBe(cached);
    }
    expect(await sonnetInputPrice()).toBe("7.5");
  });

  it("refuses a catalog older than the shipped one when nothing is cached", async () => {
    publish("/old.json", catalogBundle("2001-01-01", "1"));
    const run = await update("/old.json");
    expect(run.stderr).toContain("E_PRICING_STALE");
    expect(await status()).toMatchObject({ origin: "shipped" });
  });

  it("keeps the catalog in force after a corrupt file, a 404, a timeout or an invalid price", async () => {
    publish("/good.json", catalogBundle("2099-01-01", "7.5"));
    expect((await update("/good.json")).exitCode).toBe(0);
    const invalid = catalogBundle("2099-02-01", "7.5");
    const anthropicIndex = invalid.providers.findIndex((file) => file.provider === "anthropic");
    const sonnet = invalid.providers[anthropicIndex]!.models.findIndex(
      (model) => model.id === "claude-sonnet-4-5",
    );
    invalid.providers[anthropicIndex]!.models[sonnet]!.prices[0]!.input = "3.1234567";
    publish("/invalid.json", invalid);
    publish("/corrupt.json", JSON.stringify(catalogBundle("2099-02-01")).slice(0, 5000));
    server.answers.set("/slow.json", "hang");
    const failures: Array<[string, string[], RegExp]> = [
      ["/corrupt.json", [], /E_PRICING_DATA.*invalid JSON/],
      ["/missing.json", [], /E_PRICING_FETCH.*HTTP 404/],
      ["/slow.json", ["--pricing-timeout", "300ms"], /E_PRICING_FETCH.*no complete answer within 300 ms/],
      [
        "/invalid.json",
        [],
        new RegExp(
          `E_PRICING_DATA.*providers\\[${anthropicIndex}\\]: \\$\\.models\\[${sonnet}\\]\\.prices\\[0\\]\\.input`,
        ),
      ],
    ];
    for (const [path, flags, message] of failures) {
      const started = Date.now();
      const run = await update(path, ...flags);
      expect(run.exitCode, path).toBe(1);
      expect(run.stderr, path).toMatch(message);
      expect(Date.now() - started, path).toBeLessThan(5_000);
      expect(await sonnetInputPrice(), path).toBe("7.5");
      expect(await status(), path).toMatchObject({ origin: "cached", date: "2099-01-01" });
    }
  });

  it("refuses a 127.0.0.1 or localhost URL without --allow-internal-urls, before any request", async () => {
    publish("/catalog.json", catalogBundle("2099-01-01", "7.5"));
    const port = new URL(server.url).port;
    for (const url of [
      `${server.url}/catalog.json`,
      `http://localhost:${port}/catalog.json`,
      `http://2130706433:${port}/catalog.json`, // 127.0.0.1 as one number
      `http://[::ffff:127.0.0.1]:${port}/catalog.json`,
    ]) {
      const run = await ledger(["pricing", "update", "--from", url]);
      expect(run.exitCode, url).toBe(1);
      expect(run.stderr, url).toMatch(/E_PRICING_URL_INTERNAL.*internal address/);
    }
    expect(server.requests).toEqual([]);
    expect(await sonnetInputPrice()).toBe(shippedSonnetInput);
  });

  it("reads LLM_LEDGER_PRICING_URL, and a file path, and says what to give when neither is set", async () => {
    publish("/env.json", catalogBundle("2099-01-01", "7.5"));
    const fromEnv = await ledger(["pricing", "update", "--allow-internal-urls"], {
      LLM_LEDGER_PRICING_URL: `http://user:secret@${server.url.slice("http://".length)}/env.json?token=secret`,
    });
    expect(fromEnv.exitCode, fromEnv.stderr).toBe(0);
    // A password or a query string (a private mirror's token) is never recorded or printed.
    expect(await status()).toMatchObject({
      source: `http://user:***@${server.url.slice("http://".length)}/env.json?…`,
    });
    expect(fromEnv.stdout + readFileSync(join(home, "pricing", "source.json"), "utf8")).not.toContain(
      "secret",
    );
    const file = join(home, "next.json");
    writeFileSync(file, JSON.stringify(catalogBundle("2099-03-01", "8")));
    expect((await ledger(["pricing", "update", "--from", file])).exitCode).toBe(0);
    expect(await status()).toMatchObject({ date: "2099-03-01", source: file });
    expect(await sonnetInputPrice()).toBe("8");
    const neither = await ledger(["pricing", "update"]);
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toContain("LLM_LEDGER_PRICING_URL");
  });

  it("lets a newer shipped catalog win over an older cached one (after an upgrade)", async () => {
    const file = catalogCacheFile(home);
    publish("/catalog.json", catalogBundle("2099-01-01", "7.5"));
    await update("/catalog.json");
    const cached = JSON.parse(readFileSync(file, "utf8")) as { date: string };
    cached.date = "2001-01-01";
    writeFileSync(file, JSON.stringify(cached));
    expect(await status()).toMatchObject({ origin: "shipped", date: shippedDate });
    expect(await sonnetInputPrice()).toBe(shippedSonnetInput);
    // A source record that describes another version is not trusted.
    cached.date = "2099-06-01";
    writeFileSync(file, JSON.stringify(cached));
    expect(await status()).toMatchObject({ origin: "cached", date: "2099-06-01", source: "unknown" });
    writeFileSync(file, "{ damaged");
    const run = await ledger(["pricing", "status"]);
    expect(run.stdout).toMatch(/catalog\s+\S+ \(shipped\)[\s\S]*note\s+cache not used/);
  });
});

describe("fetchText", () => {
  it("refuses a body above the size cap, announced or streamed", async () => {
    publish("/streamed.json", "x".repeat(10_000));
    const body = "x".repeat(10_000);
    server.answers.set("/announced.json", { body, headers: { "content-length": String(body.length) } });
    await expect(
      fetchText(`${server.url}/streamed.json`, { allowInternalUrls: true, maxBytes: 1_000 }),
    ).rejects.toThrow(/larger than the 1000-byte limit/);
    await expect(
      fetchText(`${server.url}/announced.json`, { allowInternalUrls: true, maxBytes: 1_000 }),
    ).rejects.toThrow(/10000 bytes, above the 1000-byte limit/);
  });

  it("follows a redirect", async () => {
    server.answers.set("/moved", { status: 302, body: "", headers: { location: "/final" } });
    publish("/final", "{}");
    expect(await fetchText(`${server.url}/moved`, { allowInternalUrls: true })).toBe("{}");
    expect(server.requests).toEqual(["/moved", "/final"]);
  });
});

describe("the cached catalog in other commands", () => {
  it("reprice prices with the catalog in force", async () => {
    publish("/catalog.json", catalogBundle("2099-01-01", "7.5"));
    expect((await update("/catalog.json")).exitCode).toBe(0);
    const run = await runLedger(["reprice", "--database-url", "memory:", "--json"], {
      env: { LLM_LEDGER_HOME: home },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ pricingVersion: "2099-01-01" });
  });
});

describe("pricing bundle", () => {
  it("prints a catalog directory as a bundle that pricing update takes", async () => {
    const data = join(home, "data");
    cpSync(join(process.cwd(), "data", "pricing"), data, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(data, "catalog.json"), "utf8")) as { date: string };
    manifest.date = "2099-04-01";
    writeFileSync(join(data, "catalog.json"), JSON.stringify(manifest));
    const printed = await ledger(["pricing", "bundle", "--data", data, "--revision", "2"]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    publish("/bundle.json", printed.stdout);
    expect((await update("/bundle.json")).exitCode).toBe(0);
    expect(await status()).toMatchObject({ origin: "cached", version: "2099-04-01.2" });
    expect(await sonnetInputPrice()).toBe(shippedSonnetInput);
  });
});
