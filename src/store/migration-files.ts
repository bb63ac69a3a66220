import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LedgerError } from "../errors.js";

/** One numbered migration: `NNNN-name.sql` and its paired `NNNN-name.down.sql`. */
export interface Migration {
  version: number;
  name: string;
  upFile: string;
  downFile: string;
  up: string;
  down: string;
  /** sha256 of the up script, recorded when applied so later edits are caught. */
  checksum: string;
}

/** The migrations folder shipped with the package (`src/store` and `dist/store` are both two levels down). */
export const defaultMigrationsDirectory = fileURLToPath(new URL("../../migrations/", import.meta.url));

const filePattern = /^(\d{4})-([a-z0-9][a-z0-9-]*?)(\.down)?\.sql$/;

/** Reads and pairs the migration files of a folder, in version order, and checks that they are complete. */
export async function loadMigrations(directory = defaultMigrationsDirectory): Promise<Migration[]> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (error) {
    throw new LedgerError(
      "E_MIGRATION_FILES",
      `cannot read migrations folder ${directory}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const byVersion = new Map<number, { name: string; up?: string; down?: string }>();
  for (const entry of entries.sort()) {
    if (!entry.endsWith(".sql")) continue;
    const match = filePattern.exec(entry);
    if (!match) {
      throw new LedgerError(
        "E_MIGRATION_FILES",
        `migration file ${entry} is not named NNNN-name.sql or NNNN-name.down.sql`,
      );
    }
    const version = Number(match[1]);
    const name = match[2]!;
    const slot = byVersion.get(version) ?? { name };
    if (slot.name !== name) {
      throw new LedgerError(
        "E_MIGRATION_FILES",
        `migration ${match[1]} has two names: ${slot.name} and ${name}`,
      );
    }
    slot[match[3] ? "down" : "up"] = entry;
    byVersion.set(version, slot);
  }
  const migrations: Migration[] = [];
  for (const [version, slot] of [...byVersion].sort(([a], [b]) => a - b)) {
    const expected = migrations.length + 1;
    if (version !== expected) {
      throw new LedgerError(
        "E_MIGRATION_FILES",
        `migration versions must be consecutive from 0001: found ${version} where ${expected} was expected`,
      );
    }
    if (!slot.up || !slot.down) {
      const missing = `${String(version).padStart(4, "0")}-${slot.name}${slot.up ? ".down" : ""}.sql`;
      throw new LedgerError("E_MIGRATION_FILES", `migration file ${missing} is missing from ${directory}`);
    }
    const up = await readFile(path.join(directory, slot.up), "utf8");
    const down = await readFile(path.join(directory, slot.down), "utf8");
    migrations.push({
      version,
      name: slot.name,
      upFile: slot.up,
      downFile: slot.down,
      up,
      down,
      checksum: createHash("sha256").update(up).digest("hex"),
    });
  }
  return migrations;
}
