import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { LedgerError } from "../errors.js";
import { checkProjectSlug, defaultProject } from "../projects/index.js";
import type { Queryable } from "../store/database.js";
import { quoteSchema } from "../store/schema-name.js";

/** What an API key may do: send events (`ingest`), read figures (`read`), manage keys (`admin`). */
export type Scope = "ingest" | "read" | "admin";
export const scopes: readonly Scope[] = ["ingest", "read", "admin"];

/** A key as listed: never the key itself, which exists only in the answer to `create`. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  /** The key's first characters, to tell keys apart. */
  prefix: string;
  scopes: Scope[];
  /** The one project the key sees and writes, or null for every project. */
  project: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Who a request authenticated as. */
export interface Principal {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
  /** The one project the key sees and writes, or null for every project (see project-scope.ts). */
  project: string | null;
}

/** The service's API keys, stored as SHA-256 hashes (migration 0002): create, verify, list, revoke. */
export interface ApiKeyStore {
  /**
   * Creates a key bound to `project` (which must exist: `E_PROJECT_UNKNOWN`), or with `null` to every
   * project; without one, an admin key is of every project and any other key of `default`. The
   * returned `key` is shown once and stored only as a hash.
   */
  create(input: {
    name: string;
    scopes: readonly Scope[];
    project?: string | null | undefined;
  }): Promise<{ key: string; info: ApiKeyInfo }>;
  /** Every key, or with `project` only the keys bound to it (what that project's admin manages). */
  list(project?: string): Promise<ApiKeyInfo[]>;
  /**
   * Revokes by id or by prefix (with `project`, only a key bound to it); returns the revoked key, or
   * undefined when none matched.
   */
  revoke(idOrPrefix: string, project?: string): Promise<ApiKeyInfo | undefined>;
  /** The principal for a presented key, or undefined. Comparison is by hash, in constant time. */
  verify(key: string): Promise<Principal | undefined>;
  /**
   * Whether the key `keyId` (a principal's) is still unrevoked: sessions ask, so a revocation made
   * elsewhere (another server, the CLI on the database) ends them within seconds. Cached briefly.
   */
  isActive(keyId: string): Promise<boolean>;
  /** Whether any unrevoked admin key is stored. */
  hasAdminKey(): Promise<boolean>;
}

const cacheMilliseconds = 5_000;
const maxCachedKeys = 10_000;
/** Key ids are Postgres bigints: a longer string of digits cannot be one (and would fail the cast). */
const maxKeyId = 2n ** 63n - 1n;

const generatedKeyPattern = /^llk_[A-Za-z0-9_-]{43}$/;

/**
 * The project of a key created without naming one: an admin key sees every project (as an operator
 * expects of the first key); a read or ingest key is the `default` project's, so a key meant for one
 * team never sees every team's figures by omission.
 */
export function defaultKeyProject(keyScopes: readonly Scope[]): string | null {
  return keyScopes.includes("admin") ? null : defaultProject;
}

/** A fresh random key: `llk_` and 32 random bytes, base64url. */
export function generateApiKey(): string {
  return `llk_${randomBytes(32).toString("base64url")}`;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Validates a list of scope names (CLI flags, HTTP bodies). */
export function parseScopes(values: readonly unknown[]): Scope[] {
  if (values.length === 0)
    throw new LedgerError("E_SCOPES", `at least one scope is needed: ${scopes.join(", ")}`);
  for (const value of values) {
    if (!scopes.includes(value as Scope)) {
      throw new LedgerError(
        "E_SCOPES",
        `unknown scope ${JSON.stringify(value)}; scopes: ${scopes.join(", ")}`,
      );
    }
  }
  return [...new Set(values as Scope[])];
}

/**
 * API keys in `llm_ledger_api_keys` (migration 0002, bound to projects by 0004), plus an optional admin key held only in memory
 * (`LLM_LEDGER_ADMIN_KEY`, passed in by the server). Verified keys are cached briefly, so a revocation
 * made elsewhere takes effect within seconds and at once when made through this store.
 */
export function createApiKeyStore(options: {
  database: Queryable;
  schema?: string | undefined;
  adminKey?: string | undefined;
  now?: () => number;
}): ApiKeyStore {
  const table = `${quoteSchema(options.schema ?? "public")}.llm_ledger_api_keys`;
  const projects = `${quoteSchema(options.schema ?? "public")}.llm_ledger_projects`;
  const now = options.now ?? Date.now;
  const adminHash =
    options.adminKey === undefined ? undefined : Buffer.from(hashApiKey(options.adminKey), "hex");
  const cache = new Map<string, { principal: Principal | undefined; until: number }>();
  const activeCache = new Map<string, { active: boolean; until: number }>();

  const toInfo = (row: KeyRow): ApiKeyInfo => ({
    id: String(row.id),
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    project: row.project,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  });

  return {
    async create(input) {
      const name = input.name.trim();
      if (name === "" || name.length > 200)
        throw new LedgerError("E_KEY_NAME", "a key needs a name of 1 to 200 characters");
      // Postgres text cannot hold NUL; other control characters would garble `keys list`.
      if (/\p{Cc}/u.test(name))
        throw new LedgerError("E_KEY_NAME", "a key name cannot contain control characters");
      const keyScopes = parseScopes(input.scopes);
      const project =
        input.project === undefined
          ? defaultKeyProject(keyScopes)
          : input.project === null
            ? null
            : checkProjectSlug(input.project);
      const key = generateApiKey();
      // Inserted only when the project exists, so an unknown one is a precise error, not a foreign-key
      // violation.
      const [row] = await options.database.query<KeyRow>(
        `INSERT INTO ${table} (name, key_hash, prefix, scopes, project)
         SELECT $1, $2, $3, $4::text[], $5::text
          WHERE $5::text IS NULL OR EXISTS (SELECT 1 FROM ${projects} WHERE slug = $5::text)
         RETURNING *`,
        [name, hashApiKey(key), key.slice(0, 12), keyScopes, project],
      );
      if (!row) throw new LedgerError("E_PROJECT_UNKNOWN", `no project '${project}'`);
      return { key, info: toInfo(row) };
    },
    async list(project) {
      const rows = await options.database.query<KeyRow>(
        project === undefined
          ? `SELECT * FROM ${table} ORDER BY id`
          : `SELECT * FROM ${table} WHERE project = $1 ORDER BY id`,
        project === undefined ? [] : [project],
      );
      return rows.map(toInfo);
    },
    async revoke(idOrPrefix, project) {
      const byId = /^\d+$/.test(idOrPrefix) && BigInt(idOrPrefix) <= maxKeyId;
      const rows = await options.database.query<KeyRow>(
        `UPDATE ${table} SET revoked_at = COALESCE(revoked_at, now())
          WHERE ${byId ? "id = $1::bigint" : "prefix = $1"} AND ($2::text IS NULL OR project = $2::text)
          RETURNING *`,
        [idOrPrefix, project ?? null],
      );
      if (rows.length > 1)
        throw new LedgerError("E_KEY_AMBIGUOUS", `prefix ${idOrPrefix} matches several keys; revoke by id`);
      cache.clear();
      activeCache.clear();
      return rows[0] && toInfo(rows[0]);
    },
    async verify(key) {
      // Generated keys are 47 characters and the environment's admin key at least 20: anything
      // shorter or absurdly long cannot match, so it is not hashed or looked up.
      if (key.length < 20 || key.length > 512) return undefined;
      const hash = hashApiKey(key);
      if (adminHash && timingSafeEqual(Buffer.from(hash, "hex"), adminHash)) {
        return { keyId: "env", name: "admin (LLM_LEDGER_ADMIN_KEY)", scopes, project: null };
      }
      // Only a generated key can be stored: anything else (a guess, garbage) costs no database
      // lookup, which matters now that the throttle checks every claimed key before refusing it.
      if (!generatedKeyPattern.test(key)) return undefined;
      const cached = cache.get(hash);
      if (cached && cached.until > now()) return cached.principal;
      const [row] = await options.database.query<KeyRow>(
        `UPDATE ${table} SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL RETURNING *`,
        [hash],
      );
      // The lookup is by hash; compare the hash again in constant time before trusting it.
      const principal =
        row && timingSafeEqual(Buffer.from(row.key_hash, "hex"), Buffer.from(hash, "hex"))
          ? { keyId: String(row.id), name: row.name, scopes: row.scopes, project: row.project }
          : undefined;
      if (cache.size > maxCachedKeys) cache.clear();
      cache.set(hash, { principal, until: now() + cacheMilliseconds });
      return principal;
    },
    async isActive(keyId) {
      if (keyId === "env") return adminHash !== undefined;
      const cached = activeCache.get(keyId);
      if (cached && cached.until > now()) return cached.active;
      const rows = await options.database.query(
        `SELECT 1 FROM ${table} WHERE id = $1::bigint AND revoked_at IS NULL`,
        [keyId],
      );
      if (activeCache.size > maxCachedKeys) activeCache.clear();
      activeCache.set(keyId, { active: rows.length > 0, until: now() + cacheMilliseconds });
      return rows.length > 0;
    },
    async hasAdminKey() {
      const rows = await options.database.query(
        `SELECT 1 FROM ${table} WHERE revoked_at IS NULL AND 'admin' = ANY(scopes) LIMIT 1`,
      );
      return rows.length > 0;
    },
  };
}

interface KeyRow {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  scopes: Scope[];
  project: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
