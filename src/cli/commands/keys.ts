import type { CommandContext, CommandDefinition } from "../command.js";
import { databaseOptions, openCliDatabase } from "../database-option.js";
import { listOption, requiredStringOption, stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { UsageError } from "../usage-error.js";
import { LedgerError } from "../../errors.js";
import { createApiKeyStore, parseScopes, type ApiKeyInfo, type Scope } from "../../server/api-keys.js";
import { migrateUp } from "../../store/migrator.js";

const targetOptions = {
  ...databaseOptions,
  schema: { type: "string", valueName: "NAME", description: "schema holding the tables (default public)" },
  url: {
    type: "string",
    valueName: "URL",
    description: "a running server's URL: manage keys through its admin API",
  },
  "admin-key": {
    type: "string",
    valueName: "KEY",
    description:
      "admin key for --url (default $LLM_LEDGER_ADMIN_KEY, which is better: a command line is kept in shell history and shown in the process list)",
  },
} as const;

/** The operations on keys, either through a running server's admin API or directly on the database. */
interface KeyClient {
  create(name: string, scopes: Scope[]): Promise<{ key: string; info: ApiKeyInfo }>;
  list(): Promise<ApiKeyInfo[]>;
  revoke(idOrPrefix: string): Promise<ApiKeyInfo | undefined>;
  close(): Promise<void>;
}

async function keyClient(context: CommandContext): Promise<KeyClient> {
  const url = stringOption(context, "url");
  if (url !== undefined) return httpKeyClient(context, url);
  const database = await openCliDatabase(context);
  try {
    const schema = stringOption(context, "schema");
    await migrateUp(database, { schema });
    const keys = createApiKeyStore({ database, schema });
    return {
      create: (name, scopes) => keys.create({ name, scopes }),
      list: () => keys.list(),
      revoke: (idOrPrefix) => keys.revoke(idOrPrefix),
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function httpKeyClient(context: CommandContext, url: string): KeyClient {
  const adminKey = stringOption(context, "admin-key") ?? context.io.env.LLM_LEDGER_ADMIN_KEY;
  if (!adminKey) throw new UsageError("--url needs --admin-key (or LLM_LEDGER_ADMIN_KEY)");
  let base: URL;
  try {
    base = new URL("/v1/admin/keys", url);
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:8787, got '${url}'`);
  }
  const call = async (path: string, init: RequestInit = {}) => {
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        ...init,
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      });
    } catch (error) {
      throw new LedgerError(
        "E_SERVER_UNREACHABLE",
        `cannot reach ${base.origin}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (response.status === 404 && init.method === "DELETE") return undefined;
    if (!response.ok) {
      throw new LedgerError(
        (body.error?.code as LedgerError["code"] | undefined) ?? "E_SERVER",
        `the server answered ${response.status}: ${body.error?.message ?? "no details"}`,
      );
    }
    return body as unknown;
  };
  return {
    create: async (name, scopes) =>
      (await call(base.pathname, { method: "POST", body: JSON.stringify({ name, scopes }) })) as {
        key: string;
        info: ApiKeyInfo;
      },
    list: async () => ((await call(base.pathname)) as { keys: ApiKeyInfo[] }).keys,
    revoke: async (idOrPrefix) =>
      (
        (await call(`${base.pathname}/${encodeURIComponent(idOrPrefix)}`, { method: "DELETE" })) as
          { revoked: ApiKeyInfo } | undefined
      )?.revoked,
    close: async () => {},
  };
}

/**
 * Revokes the key unless it already was: the store keeps the first revocation time and answers the
 * key either way, so the listing (same id-or-prefix rule as the store) tells the two apart.
 */
async function revokeOnce(
  client: KeyClient,
  target: string,
): Promise<{ key: ApiKeyInfo; already: boolean } | undefined> {
  const previous = (await client.list()).filter((key) => key.id === target || key.prefix === target);
  const revokedBefore = previous.length === 1 && previous[0]!.revokedAt !== null ? previous[0] : undefined;
  if (revokedBefore) return { key: revokedBefore, already: true };
  const key = await client.revoke(target);
  return key && { key, already: false };
}

async function withClient<T>(context: CommandContext, work: (client: KeyClient) => Promise<T>): Promise<T> {
  const client = await keyClient(context);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

const columns: Column<ApiKeyInfo>[] = [
  { header: "id", value: (key) => key.id, align: "right" },
  { header: "name", value: (key) => key.name },
  { header: "prefix", value: (key) => key.prefix },
  { header: "scopes", value: (key) => key.scopes.join(",") },
  { header: "created", value: (key) => key.createdAt },
  { header: "last used", value: (key) => key.lastUsedAt ?? "" },
  { header: "revoked", value: (key) => key.revokedAt ?? "" },
];

/** `llm-ledger keys create|list|revoke`. */
export const keysCommand: CommandDefinition = {
  name: "keys",
  summary: "create, list and revoke API keys",
  description:
    "Works through a running server's admin API (--url and an admin key) or directly on a database that\nnothing else holds (an embedded PGlite directory allows one process).",
  subcommands: [
    {
      name: "create",
      summary: "create a key (shown once) with a name and scopes",
      options: {
        ...targetOptions,
        name: { type: "string", valueName: "NAME", description: "what the key is for" },
        scopes: { type: "string", valueName: "LIST", description: "comma-separated: ingest, read, admin" },
        ...formatOptions,
      },
      async run(context) {
        const name = requiredStringOption(context, "name");
        let scopes: Scope[];
        try {
          scopes = parseScopes(listOption(context, "scopes") ?? []);
        } catch (error) {
          throw new UsageError(`--scopes: ${(error as Error).message}`);
        }
        const created = await withClient(context, (client) => client.create(name, scopes));
        if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(created) + "\n");
        else
          context.io.stdout.write(
            `created key ${created.info.id} '${created.info.name}' (${created.info.scopes.join(", ")}); it is shown only now:\n${created.key}\n`,
          );
      },
    },
    {
      name: "list",
      summary: "list keys (never the keys themselves)",
      options: { ...targetOptions, ...formatOptions },
      async run(context) {
        const keys = await withClient(context, (client) => client.list());
        const format = outputFormat(context);
        if (format === "json") context.io.stdout.write(JSON.stringify(keys) + "\n");
        else
          context.io.stdout.write(format === "csv" ? formatCsv(columns, keys) : formatTable(columns, keys));
      },
    },
    {
      name: "revoke",
      summary: "revoke a key by id or prefix",
      usage: "ID|PREFIX",
      positionals: { min: 1, max: 1 },
      options: targetOptions,
      async run(context) {
        const target = context.positionals[0]!;
        const outcome = await withClient(context, (client) => revokeOnce(client, target));
        if (!outcome) throw new LedgerError("E_NOT_FOUND", `no key with id or prefix '${target}'`);
        const { key, already } = outcome;
        // Exit 0 either way: the key is revoked, which is what was asked (a cleanup script may run
        // twice); the distinct message tells a person the command changed nothing this time.
        context.io.stdout.write(
          already
            ? `key ${key.id} '${key.name}' was already revoked (at ${key.revokedAt}); nothing changed\n`
            : `revoked key ${key.id} '${key.name}'\n`,
        );
      },
    },
  ],
};
