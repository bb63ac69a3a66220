// Packs the package at `packageRoot` and installs the tarball into a new application under
// `workspace`, as a user's `npm install llm-ledger` would, but with install scripts disabled: what
// the package needs at run time must come from its declared dependencies, never from a script.
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Returns the application's directory, with llm-ledger and its dependencies in its node_modules, and
 * `extraPackages` (`name@version` specs the application itself depends on) in the same install.
 */
export async function installPackedPackage(
  packageRoot: string,
  workspace: string,
  extraPackages: readonly string[] = [],
): Promise<string> {
  // --ignore-scripts: pack dist/ as it is (see consumer.test.ts) instead of rebuilding it here.
  const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", workspace], {
    cwd: packageRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const app = path.join(workspace, "app");
  await mkdir(app);
  await writeFile(
    path.join(app, "package.json"),
    JSON.stringify({ name: "llm-ledger-consumer", version: "1.0.0", private: true, type: "module" }),
  );
  // --prefer-offline: dependencies come from the npm cache that `npm ci` filled when it can, which
  // keeps the install to seconds; the registry is asked only for what the cache lacks.
  await run(
    "npm",
    [
      "install",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      path.join(workspace, filename),
      ...extraPackages,
    ],
    { cwd: app, maxBuffer: 64 * 1024 * 1024 },
  );
  return app;
}
