import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CatalogManifest, ProviderFile } from "../../src/pricing/index.js";

// Issue 17, defect 4: the refresh stamped every file `checked: <run date>` although it compares
// nothing with the providers. A `checked` date means a price was compared with the source it names;
// imported prices carry the package's name, version and publish date instead.

const DATA = new URL("../../data/pricing/", import.meta.url);
const read = <T>(name: string, directory: URL | string = DATA): T =>
  JSON.parse(
    readFileSync(typeof directory === "string" ? join(directory, name) : new URL(name, directory), "utf8"),
  ) as T;

interface Corrections {
  providers: { provider: string; checked: string; source: string }[];
}

describe("where the shipped prices come from", () => {
  const manifest = read<CatalogManifest>("catalog.json");
  const compared = new Set(read<Corrections>("corrections.json").providers.map(({ provider }) => provider));
  const files = manifest.providers.map((provider) => read<ProviderFile>(`${provider}.json`));

  it("says which package version imported prices came from, and claims no check of them", () => {
    for (const file of files) {
      if (compared.has(file.provider)) continue;
      expect(file.checked, file.provider).toBeUndefined();
      expect(file.imported, file.provider).toMatchObject({ package: "@pydantic/genai-prices" });
      expect(file.imported?.published, file.provider).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(file.imported!.published <= manifest.date, file.provider).toBe(true);
    }
  });

  it("dates a check only where a source was compared", () => {
    for (const file of files) {
      for (const model of file.models) {
        if (model.checked !== undefined) expect(model.source, `${file.provider}/${model.id}`).toBeDefined();
      }
    }
  });
});

describe("scripts/refresh-pricing.ts", () => {
  it("never stamps the run's date as a check", () => {
    const out = mkdtempSync(join(tmpdir(), "llm-ledger-refresh-"));
    const runDate = "2099-01-02";
    execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/refresh-pricing.ts",
        "--date",
        runDate,
        "--published",
        "2026-09-23",
        "--no-second-source",
        "--out",
        out,
      ],
      { cwd: new URL("../../", import.meta.url), stdio: "pipe" },
    );
    const installed = read<{ version: string }>("package.json", "node_modules/@pydantic/genai-prices");
    const manifest = read<CatalogManifest>("catalog.json", out);
    expect(manifest.date).toBe(runDate);
    for (const name of readdirSync(out).filter((file) => file !== "catalog.json")) {
      const text = readFileSync(join(out, name), "utf8");
      expect(text, name).not.toContain(runDate);
      const file = JSON.parse(text) as ProviderFile;
      if (file.imported) {
        expect(file.imported, name).toEqual({
          package: "@pydantic/genai-prices",
          version: installed.version,
          published: "2026-09-23",
        });
      }
    }
  });
});
