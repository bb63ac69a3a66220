// Fails, before ai 7 is loaded, when this test package was not installed (or is stale). Without its
// own node_modules, "ai" and "@ai-sdk/*" below would resolve to the root install's ai 6 and 3.x
// providers, and every "ai 7" test would silently run ai 6 a second time.
import { readFileSync } from "node:fs";
import path from "node:path";

const declared = JSON.parse(readFileSync(path.join(import.meta.dirname, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

const missing: string[] = [];
for (const [name, range] of Object.entries(declared.dependencies)) {
  const wantedMajor = /\d+/.exec(range)?.[0];
  const installedMajor = installedVersion(name)?.split(".")[0];
  if (installedMajor !== wantedMajor) missing.push(`${name}@${range} (found ${installedMajor ?? "none"})`);
}
if (missing.length > 0) {
  throw new Error(
    `The ai 7 test package is not installed: ${missing.join(", ")}. Run \`npm ci --prefix test/ai7\` ` +
      "(.ci/run does) before the tests.",
  );
}

/** The version of `name` in this package's own node_modules, never the root's. */
function installedVersion(name: string): string | undefined {
  try {
    const manifest = path.join(import.meta.dirname, "node_modules", name, "package.json");
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}
