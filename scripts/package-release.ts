// Which version of an installed package the refresh read, and the day npm says it was published:
// the newest its data can be, which is what the catalog and the comparison report say of it.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";

/** An installed package's name, version and publish date (YYYY-MM-DD). */
export interface PackageRelease {
  package: string;
  version: string;
  published: string;
}

/**
 * Reads the version from node_modules and asks the npm registry for its publish date, unless
 * `published` is given (tests and offline runs).
 */
export async function packageRelease(name: string, published: string | undefined): Promise<PackageRelease> {
  const manifest = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  const { version } = JSON.parse(await readFile(manifest, "utf8")) as { version: string };
  if (published !== undefined) return { package: name, version, published };
  const times = JSON.parse(
    execFileSync("npm", ["view", `${name}@${version}`, "time", "--json"], { encoding: "utf8" }),
  ) as Record<string, string>;
  const time = times[version];
  if (time === undefined) throw new Error(`npm has no publish time for ${name}@${version}; pass the date`);
  return { package: name, version, published: time.slice(0, 10) };
}
